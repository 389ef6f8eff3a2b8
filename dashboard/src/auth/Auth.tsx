// Who is signed in: the key of this tab, what it may do (GET /v1/me), the sign-in form,
// and the exchange of a one-time sign-in code from the address bar for a key.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { createContext, useCallback, useContext, useEffect, useState, type FormEvent, type ReactNode } from "react";
import { api, messageOf, onUnauthorized, unwrap } from "../api/client";
import type { Me } from "../api/types";
import { keys } from "../live/applyEvents";
import { Logo } from "../ui/Logo";
import { forgetKey, readKey, storeKey } from "./session";

interface Auth {
  me: Me;
  canWrite: boolean;
  canAdmin: boolean;
  signOut: () => void;
}

/** Exported for tests, which give views a key of their choosing. */
export const AuthContext = createContext<Auth | null>(null);

export function useAuth(): Auth {
  const auth = useContext(AuthContext);
  if (!auth) throw new Error("useAuth outside AuthGate");
  return auth;
}

const exchanges = new Map<string, Promise<string>>();

/** The key a one-time code stands for; asked once per code (the code works only once). */
function exchange(code: string): Promise<string> {
  let key = exchanges.get(code);
  if (!key) {
    key = unwrap(api.POST("/v1/sign-in", { body: { code } })).then((signedIn) => signedIn.key);
    exchanges.set(code, key);
  }
  return key;
}

/** Shows the sign-in form until this tab has a key the API accepts, then `children`. */
export function AuthGate({ code, children }: { code: string | null; children: ReactNode }) {
  const client = useQueryClient();
  const [key, setKey] = useState<string | null>(() => (code ? null : readKey()));
  const [pendingCode, setPendingCode] = useState(code);
  const [notice, setNotice] = useState<string | null>(null);

  const signOut = useCallback(() => {
    forgetKey();
    setKey(null);
    client.clear();
  }, [client]);

  useEffect(
    () =>
      onUnauthorized(() => {
        setNotice("The API refused this key (wrong, revoked or expired): sign in with another.");
        signOut();
      }),
    [signOut],
  );

  useEffect(() => {
    if (!pendingCode) return;
    let current = true;
    exchange(pendingCode)
      .then((fresh) => {
        if (!current) return;
        storeKey(fresh);
        setKey(fresh);
      })
      .catch((error: unknown) => current && setNotice(`The sign-in link did not work: ${messageOf(error)}`))
      .finally(() => current && setPendingCode(null));
    return () => {
      current = false;
    };
  }, [pendingCode]);

  const me = useQuery({
    // Signing out clears the cache, so the next key is asked about afresh.
    queryKey: keys.me,
    queryFn: () => unwrap(api.GET("/v1/me")),
    enabled: key !== null,
    staleTime: 60_000,
    retry: false,
  });

  if (pendingCode) return <p className="center muted">Signing in…</p>;
  if (key === null) {
    return (
      <SignIn
        notice={notice}
        onKey={(entered) => {
          storeKey(entered);
          setNotice(null);
          setKey(entered);
        }}
      />
    );
  }
  if (me.isError) {
    return (
      <div className="center">
        <p role="alert" className="error">
          Cannot sign in: {messageOf(me.error)}
        </p>
        <button type="button" onClick={signOut}>
          Use another key
        </button>
      </div>
    );
  }
  if (!me.data) return <p className="center muted">Signing in…</p>;
  const value: Auth = {
    me: me.data,
    canWrite: me.data.can_write,
    canAdmin: me.data.can_admin,
    signOut,
  };
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

function SignIn({ notice, onKey }: { notice: string | null; onKey: (key: string) => void }) {
  const [entered, setEntered] = useState("");
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (entered.trim()) onKey(entered.trim());
  };
  return (
    <main className="sign-in">
      <h1>
        <Logo />{" "}
        equeue
      </h1>
      <form onSubmit={submit} aria-labelledby="sign-in-title">
        <h2 id="sign-in-title">Sign in</h2>
        {notice && (
          <p role="alert" className="error">
            {notice}
          </p>
        )}
        <label htmlFor="api-key">API key</label>
        <input
          id="api-key"
          type="password"
          autoComplete="off"
          spellCheck={false}
          value={entered}
          onChange={(event) => setEntered(event.target.value)}
          required
        />
        <p className="hint">
          Kept in this tab only (session storage), sent as a bearer token. <code>equeue dev</code> prints a
          link that signs in by itself; <code>equeue keys sign-in-link</code> makes one for any server.
        </p>
        <button type="submit" className="primary">
          Sign in
        </button>
      </form>
    </main>
  );
}
