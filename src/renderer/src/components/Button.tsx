import { forwardRef, type ButtonHTMLAttributes, type ReactNode } from 'react';
import { Icon, type IconName } from './Icon';

export interface ButtonProps extends Omit<ButtonHTMLAttributes<HTMLButtonElement>, 'disabled'> {
  variant?: 'primary' | 'secondary' | 'ghost' | 'danger';
  size?: 'md' | 'sm';
  icon?: IconName;
  /** Only an icon shows; `label` becomes the accessible name and the tooltip. */
  iconOnly?: boolean;
  label?: string;
  /** When set, the button is disabled and this text says why (tooltip and accessible description). */
  disabledReason?: string | null;
  disabled?: boolean;
  busy?: boolean;
  children?: ReactNode;
}

/**
 * The one button of the app. A disabled button stays focusable (aria-disabled) so its tooltip can say why it is
 * disabled; clicks on it do nothing.
 */
export const Button = forwardRef<HTMLButtonElement, ButtonProps>(function Button(
  { variant = 'secondary', size = 'md', icon, iconOnly, label, disabledReason, disabled, busy, children, className, onClick, title, type, ...rest },
  ref,
) {
  const isDisabled = Boolean(disabled || disabledReason || busy);
  const classes = ['btn', `btn-${variant}`, `btn-${size}`, iconOnly ? 'btn-icon' : '', className ?? ''].filter(Boolean).join(' ');
  return (
    <button
      ref={ref}
      type={type ?? 'button'}
      className={classes}
      aria-disabled={isDisabled || undefined}
      aria-busy={busy || undefined}
      aria-label={iconOnly ? label : undefined}
      title={disabledReason ?? title ?? (iconOnly ? label : undefined)}
      onClick={(e) => {
        if (isDisabled) {
          e.preventDefault();
          return;
        }
        onClick?.(e);
      }}
      {...rest}
    >
      {icon && <Icon name={icon} />}
      {!iconOnly && (children ?? label)}
    </button>
  );
});
