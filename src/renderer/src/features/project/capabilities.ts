import type { IconName } from '../../components/Icon';
import type { ProjectSection } from '../../lib/routes';

/**
 * The sections of a project, in pipeline order. `available: false` ones are shown disabled with a note until the
 * issue that builds them lands; they are not buttons.
 */
export interface Capability {
  id: 'overview' | 'footage' | 'tracking' | 'avatar' | 'texture' | 'live' | 'export';
  label: string;
  icon: IconName;
  summary: string;
  available: boolean;
  /** A capability whose tools live in another section's screen (tracking is done in the Footage review). */
  opensIn?: 'footage';
  /** Shown under the label of a capability that opens elsewhere. */
  note?: string;
  /** The project section (route) that holds the capability's screen. */
  section?: ProjectSection;
}

export const CAPABILITIES: Capability[] = [
  { id: 'overview', label: 'Overview', icon: 'info', summary: 'What the project holds', available: true },
  { id: 'footage', label: 'Footage', icon: 'film', summary: 'Import video and review frames on a timeline', available: true, section: 'footage' },
  { id: 'tracking', label: 'Tracking', icon: 'target', summary: 'Track the head, face and mask in every frame', available: true, opensIn: 'footage', note: 'In the Footage review', section: 'footage' },
  { id: 'avatar', label: 'Avatar', icon: 'head', summary: 'Train the Gaussian avatar and inspect it in 3D', available: true, section: 'training' },
  { id: 'texture', label: 'Texture', icon: 'brush', summary: 'Paint colour and stickers on the baked UV maps', available: true, note: 'Texture on an avatar in the avatars table', section: 'training' },
  { id: 'live', label: 'Live', icon: 'camera', summary: 'Drive the avatar from a webcam and record', available: true, note: 'Live on an avatar in the overview' },
  { id: 'export', label: 'Export', icon: 'export', summary: 'PLY, glTF, avatar bundle, web player, MP4 / PNG video, maps, mesh', available: true, note: 'From the avatars table (Ctrl+E)', section: 'training' },
];

export const LATER_NOTE = 'Coming in a later version';
