import { type ReactNode, useEffect, useId, useRef, useState } from 'react';

interface ConfirmDestructiveProps {
  /** The button's visible text: "Remove", "Delete", "Revoke". */
  label: string;
  /** The button's accessible name, naming what it removes: "Delete webhook ops-alerts". */
  accessibleName: string;
  /** The dialog's question, naming what will be removed. */
  title: string;
  /** What happens to related data, so the reader can decide. */
  children: ReactNode;
  onConfirm: () => void;
  disabled?: boolean;
}

/**
 * A destructive action: a red-outlined button that opens a modal dialog
 * naming what will be removed, with "Cancel" focused first so Enter does no
 * harm. The native `<dialog>` traps focus, closes on Escape and gives focus
 * back to the button.
 */
export function ConfirmDestructive({ label, accessibleName, title, children, onConfirm, disabled }: ConfirmDestructiveProps) {
  const id = useId();
  const dialog = useRef<HTMLDialogElement>(null);
  const [open, setOpen] = useState(false);

  useEffect(() => {
    if (open && dialog.current && !dialog.current.open) dialog.current.showModal();
  }, [open]);

  return (
    <>
      <button
        type="button"
        className="button button-danger"
        aria-label={accessibleName}
        aria-haspopup="dialog"
        disabled={disabled}
        onClick={() => setOpen(true)}
      >
        {label}
      </button>
      {open && (
        <dialog
          ref={dialog}
          className="confirm-dialog"
          aria-labelledby={`${id}-title`}
          aria-describedby={`${id}-body`}
          onClose={() => setOpen(false)}
        >
          <h2 id={`${id}-title`}>{title}</h2>
          <div id={`${id}-body`} className="confirm-dialog-body">
            {children}
          </div>
          <div className="actions confirm-dialog-actions">
            {/* Focused first: the safe choice. */}
            <button type="button" className="button" autoFocus onClick={() => dialog.current?.close()}>
              Cancel
            </button>
            <button
              type="button"
              className="button button-danger-solid"
              onClick={() => {
                dialog.current?.close();
                onConfirm();
              }}
            >
              {label}
            </button>
          </div>
        </dialog>
      )}
    </>
  );
}
