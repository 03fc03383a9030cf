/**
 * The Content-Security-Policy nonce of the page being rendered, provided by entry.server.tsx so
 * that the root's inline scripts carry it. In the browser it is "" (browsers hide nonces).
 */
import { createContext, useContext } from "react";

const NonceContext = createContext<string>("");

export const NonceProvider = NonceContext.Provider;

export function useNonce(): string {
  return useContext(NonceContext);
}
