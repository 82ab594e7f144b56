// The thing registry (XEP-0347): store, component, client side and the claim-string format.
export { startRegistry, type Registry, type RegistryOptions, NS_DISCO_INFO, NS_PING } from "./component.ts";
export { ThingStore, openDatabase, fingerprint, MAX_PAGE, type Thing, type ThingRef, type ThingEvents, type RegisterResult, type UpdateResult, type SearchOptions } from "./store.ts";
export { RegistryClient, answerRegistryNotices, type RegistryNotices } from "./client.ts";
export { SearchOperator, OPERATOR_NAMES, type SearchOperatorInput } from "./operators.ts";
export { Tag, TagList, NS_DISCOVERY, KEY, LIMITS, NUMERIC_TAGS, STRING_TAGS, isNumericTag } from "./tags.ts";
export { RequestError } from "./errors.ts";
export { parseQr, formatQr } from "./qr.ts";
export { parseTagArg, parseSearchTerm, parseOperatorArg } from "./syntax.ts";
export { OnlineThings } from "./presence.ts";
export { NS_REGISTRY_EXT } from "./watchers.ts";
