export type { ThreadContextValue, ThreadFormState } from "./context";
export { MAX_INDENT, Thread } from "./thread";
