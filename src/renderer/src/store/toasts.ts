import { create } from 'zustand';

export type ToastTone = 'info' | 'success' | 'error';

export interface ToastAction {
  label: string;
  run: () => void;
}

export interface Toast {
  id: number;
  tone: ToastTone;
  message: string;
  action?: ToastAction;
  /** Milliseconds before the toast leaves on its own; 0 keeps it until dismissed. */
  timeoutMs: number;
}

interface ToastState {
  toasts: Toast[];
  show(t: { tone?: ToastTone; message: string; action?: ToastAction; timeoutMs?: number }): number;
  dismiss(id: number): void;
}

let nextId = 1;
const MAX_TOASTS = 3;

export const useToasts = create<ToastState>((set) => ({
  toasts: [],
  show({ tone = 'info', message, action, timeoutMs }) {
    const id = nextId++;
    const toast: Toast = { id, tone, message, action, timeoutMs: timeoutMs ?? (tone === 'error' ? 12_000 : action ? 8_000 : 5_000) };
    set((s) => ({ toasts: [...s.toasts, toast].slice(-MAX_TOASTS) }));
    return id;
  },
  dismiss(id) {
    set((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) }));
  },
}));

export const toast = {
  info: (message: string, action?: ToastAction) => useToasts.getState().show({ tone: 'info', message, action }),
  success: (message: string, action?: ToastAction) => useToasts.getState().show({ tone: 'success', message, action }),
  error: (message: string, action?: ToastAction) => useToasts.getState().show({ tone: 'error', message, action }),
};
