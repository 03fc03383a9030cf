/**
 * What every annotation in a thread needs to know about the page it is on, provided once by
 * `Thread` instead of being passed down through each level.
 */
import { createContext, useContext } from "react";
import type { FormState } from "#app/components/annotation-fields";

/** The action's answer to a failed submission, tagged with the form it belongs to. */
export type ThreadFormState = FormState & { intent?: string; targetId?: number };

export type ThreadContextValue = {
  slug: string;
  signedIn: boolean;
  signInHref: string;
  /** "interactive": reply, edit and delete forms here; "listing": link to the permalink to reply. */
  mode: "interactive" | "listing";
  /** The annotation a permalink points at, marked in its thread. */
  markedId?: number;
  formState?: ThreadFormState;
};

const ThreadContext = createContext<ThreadContextValue | null>(null);

export const ThreadContextProvider = ThreadContext.Provider;

export function useThreadContext(): ThreadContextValue {
  const value = useContext(ThreadContext);
  if (!value) throw new Error("Annotations render inside a <Thread>.");
  return value;
}

/** The failed submission of form `intent` on annotation `id`, if that is what came back. */
export function useFormStateFor(intent: string, id: number): FormState {
  const state = useThreadContext().formState;
  return state && state.intent === intent && state.targetId === id ? state : {};
}
