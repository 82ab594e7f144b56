// Placeholder replaced in the next commit by the subcommand dispatcher.
console.log("flexfed");
