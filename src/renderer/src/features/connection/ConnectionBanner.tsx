import { useEffect, useState } from 'react';
import { Icon } from '../../components/Icon';
import { useConnection } from '../../store/connection';

/**
 * Web mode: says so when the studio cannot be reached (at start or after losing it) and that it reconnects on its
 * own. A short delay keeps a quick reconnect from flashing the banner.
 */
export function ConnectionBanner() {
  const status = useConnection((s) => s.status);
  const everOpened = useConnection((s) => s.everOpened);
  const [late, setLate] = useState(false);

  useEffect(() => {
    if (status === 'open') {
      setLate(false);
      return;
    }
    const t = setTimeout(() => setLate(true), everOpened ? 600 : 2500);
    return () => clearTimeout(t);
  }, [status, everOpened]);

  if (status === 'unauthorized') {
    return (
      <div className="banner banner-danger" role="alert">
        <Icon name="lock" />
        <span>
          <strong>This link is not valid for the running studio.</strong> Web mode makes a new access link each time it starts: open the link that{' '}
          <code>avatar-studio serve</code> printed (it ends in <code>?token=…</code>).
        </span>
      </div>
    );
  }
  if (status === 'open' || !late) return null;
  return (
    <div className="banner banner-danger" role="alert">
      <Icon name="wifiOff" />
      <span>
        {everOpened ? <strong>Lost the connection to the studio.</strong> : <strong>Cannot reach the studio.</strong>} Reconnecting… If the studio was stopped,
        start it again (<code>avatar-studio serve</code>) and open the new link it prints. Changes cannot be made until it is back.
      </span>
    </div>
  );
}
