import { useEffect, useRef, useState } from 'react';
import { useToasts, type Toast } from '../store/toasts';
import { Button } from './Button';
import { Icon } from './Icon';

function ToastItem({ toast }: { toast: Toast }) {
  const dismiss = useToasts((s) => s.dismiss);
  const [paused, setPaused] = useState(false);
  const remaining = useRef(toast.timeoutMs);
  useEffect(() => {
    if (paused || toast.timeoutMs === 0) return;
    const started = Date.now();
    const t = setTimeout(() => dismiss(toast.id), remaining.current);
    return () => {
      clearTimeout(t);
      remaining.current = Math.max(1500, remaining.current - (Date.now() - started));
    };
  }, [paused, toast.id, toast.timeoutMs, dismiss]);

  return (
    <li
      className={`toast toast-${toast.tone}`}
      role={toast.tone === 'error' ? 'alert' : 'status'}
      onMouseEnter={() => setPaused(true)}
      onMouseLeave={() => setPaused(false)}
      onFocus={() => setPaused(true)}
      onBlur={() => setPaused(false)}
    >
      <Icon name={toast.tone === 'error' ? 'alert' : toast.tone === 'success' ? 'check' : 'info'} className="toast-icon" />
      <span className="toast-message">{toast.message}</span>
      {toast.action && (
        <Button
          size="sm"
          variant="ghost"
          className="toast-action"
          onClick={() => {
            dismiss(toast.id);
            toast.action!.run();
          }}
        >
          {toast.action.label}
        </Button>
      )}
      <Button size="sm" variant="ghost" icon="close" iconOnly label="Dismiss notification" onClick={() => dismiss(toast.id)} />
    </li>
  );
}

/** Notifications in the bottom-left corner. Hovering or focusing one holds it. */
export function Toasts() {
  const toasts = useToasts((s) => s.toasts);
  return (
    <ol className="toasts" aria-label="Notifications">
      {toasts.map((t) => (
        <ToastItem key={t.id} toast={t} />
      ))}
    </ol>
  );
}
