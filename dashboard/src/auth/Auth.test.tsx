import { QueryClientProvider } from "@tanstack/react-query";
import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { testClient } from "../test/helpers";
import { AuthGate, useAuth } from "./Auth";
import { readKey, takeSignInCode } from "./session";

function Scope() {
  const { me } = useAuth();
  return <p>signed in as {me.scopes.join(",")}</p>;
}

function answer(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
}

describe("signing in", () => {
  it("keeps a refused key nowhere and says why, then takes a good one", async () => {
    const seen: (string | null)[] = [];
    globalThis.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
      const request = new Request(input, init);
      const key = request.headers.get("authorization");
      seen.push(key);
      return key === "Bearer good"
        ? answer(200, { key_id: "k", scopes: ["read"], can_write: false, can_admin: false })
        : answer(401, { error: { code: "unauthorized", message: "invalid API key" } });
    };
    render(
      <QueryClientProvider client={testClient()}>
        <AuthGate code={null}>
          <Scope />
        </AuthGate>
      </QueryClientProvider>,
    );
    await userEvent.type(screen.getByLabelText("API key"), "wrong");
    await userEvent.click(screen.getByRole("button", { name: "Sign in" }));
    expect((await screen.findByRole("alert")).textContent).toMatch(/refused this key/);
    expect(readKey()).toBeNull();

    await userEvent.type(screen.getByLabelText("API key"), "good");
    await userEvent.click(screen.getByRole("button", { name: "Sign in" }));
    expect((await screen.findByText(/signed in as/)).textContent).toBe("signed in as read");
    expect(readKey()).toBe("good");
    expect(seen).toEqual(["Bearer wrong", "Bearer good"]);
  });

  it("takes the one-time code out of the address, and the history", () => {
    window.history.pushState(null, "", "/dashboard/sign-in?code=abc123&x=1#top");
    const before = window.history.length;
    expect(takeSignInCode(window.location, window.history)).toBe("abc123");
    expect(window.location.pathname + window.location.search + window.location.hash).toBe("/dashboard/?x=1#top");
    expect(window.history.length).toBe(before); // replaced, not pushed
    expect(takeSignInCode(window.location, window.history)).toBeNull();
  });
});
