// A button that asks before it acts: a modal dialog (focus kept inside, Escape closes)
// saying what will happen, then the action with its outcome or error shown.
import { useRef, useState, type ReactNode } from "react";
import { messageOf } from "../api/client";

interface ConfirmProps {
  /** The button's text. */
  label: string;
  /** What the dialog says will happen. */
  question: ReactNode;
  /** The confirming button's text (defaults to `label`). */
  confirmLabel?: string;
  danger?: boolean;
  disabled?: boolean;
  onConfirm: () => Promise<unknown>;
}

export function ConfirmButton({ label, question, confirmLabel, danger, disabled, onConfirm }: ConfirmProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const open = () => {
    setError(null);
    dialog.current?.showModal();
  };
  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await onConfirm();
      dialog.current?.close();
    } catch (thrown) {
      setError(messageOf(thrown));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <button type="button" className={danger ? "danger" : undefined} disabled={disabled} onClick={open}>
        {label}
      </button>
      <dialog ref={dialog} className="confirm" aria-label={label}>
        <p>{question}</p>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        <div className="actions">
          <button type="button" onClick={() => dialog.current?.close()} disabled={busy}>
            Keep as is
          </button>
          <button type="button" className={danger ? "danger" : "primary"} onClick={confirm} disabled={busy}>
            {busy ? "Working…" : (confirmLabel ?? label)}
          </button>
        </div>
      </dialog>
    </>
  );
}
