import { useEffect, useRef } from 'react';
import type { Capture } from '@shared/model/capture';
import { studio } from '../../store/studio';
import { useTracking } from '../../store/tracking';
import { isShortcut, pageMayTakeKey } from '../shortcuts/pageKeys';

/**
 * Loads a capture's tracking results while it is reviewed, and again when the host says the capture changed
 * (a tracking job committed) or the connection comes back. A change event re-reads only the summary unless its
 * time stamp moved, so split edits do not re-read thousands of tracked frames.
 */
export function useTrackingSync(capture: Capture): void {
  const ref = useRef(capture);
  ref.current = capture;
  useEffect(() => {
    void useTracking.getState().load(capture);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [capture.id, capture.frameCount]);
  useEffect(() => {
    const { client, onStatus } = studio();
    let wasOpen = true;
    const refresh = async () => {
      const c = ref.current;
      const held = useTracking.getState().byCapture[c.id];
      try {
        const summary = await client.call('tracking.summary', { captureId: c.id });
        if (held?.loaded && !held.error && (summary?.trackedAt ?? null) === (held.summary?.trackedAt ?? null)) return;
      } catch {
        // load() reports it
      }
      await useTracking.getState().load(c);
    };
    const offs = [
      client.on('captures.changed', (e) => {
        if (e.captureIds.length === 0 || e.captureIds.includes(ref.current.id)) void refresh();
      }),
      client.on('job.updated', (job) => {
        if (job.kind !== 'capture.track' || job.status !== 'completed') return;
        if ((job.result as { captureId?: unknown } | null)?.captureId === ref.current.id) void refresh();
      }),
      onStatus((s) => {
        if (s === 'open' && !wasOpen) void refresh();
        wasOpen = s === 'open';
      }),
    ];
    return () => offs.forEach((off) => off());
  }, [capture.id]);
}

export interface TrackingActions {
  track(): void;
  exclude(): void;
}

/**
 * The Tracking keys (the registry's Tracking group) while a capture is reviewed. Capture phase, like the Footage
 * keys, so M and P are not taken by anything else on the page.
 */
export function useTrackingKeys(actions: TrackingActions, enabled: boolean): void {
  const ref = useRef(actions);
  ref.current = actions;
  useEffect(() => {
    if (!enabled) return;
    const is = isShortcut;
    const onKey = (e: KeyboardEvent) => {
      if (e.repeat || !pageMayTakeKey(e)) return;
      const t = useTracking.getState();
      if (is(e, 'trackingMesh')) t.setShowMesh(!t.showMesh);
      else if (is(e, 'trackingLandmarks')) t.setShowLandmarks(!t.showLandmarks);
      else if (is(e, 'trackFaces')) ref.current.track();
      else if (is(e, 'trackingExclude')) ref.current.exclude();
      else return;
      e.preventDefault();
      e.stopPropagation();
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [enabled]);
}
