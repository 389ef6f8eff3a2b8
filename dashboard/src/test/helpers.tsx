// What the component tests share: a query client that never retries, a key of a chosen
// scope, and a router at a chosen address.
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { Router } from "wouter";
import { memoryLocation } from "wouter/memory-location";
import type { Me } from "../api/types";
import { AuthContext } from "../auth/Auth";

export function testClient(): QueryClient {
  return new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: Infinity } } });
}

export function me(scope: "read" | "write" | "admin"): Me {
  return {
    key_id: "k1",
    scopes: [scope],
    can_write: scope !== "read",
    can_admin: scope === "admin",
  };
}

export function Harness({
  client,
  scope = "admin",
  path = "/",
  location = memoryLocation({ path, record: true }),
  children,
}: {
  client: QueryClient;
  scope?: "read" | "write" | "admin";
  path?: string;
  location?: ReturnType<typeof memoryLocation>;
  children: ReactNode;
}) {
  const who = me(scope);
  return (
    <QueryClientProvider client={client}>
      <Router hook={location.hook} searchHook={location.searchHook}>
        <AuthContext.Provider value={{ me: who, canWrite: who.can_write, canAdmin: who.can_admin, signOut: () => {} }}>
          {children}
        </AuthContext.Provider>
      </Router>
    </QueryClientProvider>
  );
}

/** A fetch answering JSON by path; records every request. */
export function fakeFetch(answers: Record<string, unknown>) {
  const requests: Request[] = [];
  const fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    requests.push(request);
    const path = new URL(request.url).pathname;
    if (!(path in answers)) return new Response(JSON.stringify({ error: { code: "not_found", message: path } }), { status: 404 });
    return new Response(JSON.stringify(answers[path]), { status: 200, headers: { "content-type": "application/json" } });
  };
  return { fetch, requests };
}
