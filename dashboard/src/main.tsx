import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App, makeQueryClient } from "./App";
import { takeSignInCode } from "./auth/session";
import "./styles.css";

// Taken out of the address bar before anything renders, so it is never shown or kept.
const code = takeSignInCode(window.location, window.history);
const root = document.getElementById("root");
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App client={makeQueryClient()} code={code} />
    </StrictMode>,
  );
}
