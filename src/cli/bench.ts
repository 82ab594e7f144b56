// `flexfed bench [name ...]`: the benchmark harness of bench/ (the same as `npm run bench`).
export async function run(argv: string[]): Promise<number> {
  const { main } = await import("../../bench/run.ts");
  return main(argv);
}
