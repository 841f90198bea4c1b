import type { IconName } from '../../components/Icon';
import { railItemOf, type ProjectSection, type RailItem } from '@shared/routes';

/**
 * The sections of a project, in pipeline order. Each opens a page of its own, also with nothing selected: Tracking
 * lists the captures, Texture, Live and Export list the avatars to pick one. `available: false` ones are shown
 * disabled with a note until the issue that builds them lands; they are not buttons.
 */
export interface Capability {
  id: RailItem;
  label: string;
  icon: IconName;
  summary: string;
  available: boolean;
  /** Shown under the label. */
  note?: string;
  /** The project section (route) that holds the capability's page; none: the overview. */
  section?: ProjectSection;
}

export const CAPABILITIES: Capability[] = [
  { id: 'overview', label: 'Overview', icon: 'info', summary: 'What the project holds', available: true },
  { id: 'footage', label: 'Footage', icon: 'film', summary: 'Import video and review frames on a timeline', available: true, section: 'footage' },
  { id: 'tracking', label: 'Tracking', icon: 'target', summary: 'Track the head, face and mask in every frame', available: true, section: 'tracking' },
  { id: 'avatar', label: 'Avatar', icon: 'head', summary: 'Train the Gaussian avatar and inspect it in 3D', available: true, section: 'training' },
  { id: 'texture', label: 'Texture', icon: 'brush', summary: 'Paint colour and stickers on the baked UV maps', available: true, section: 'texture' },
  { id: 'live', label: 'Live', icon: 'camera', summary: 'Drive the avatar from a webcam and record', available: true, section: 'live' },
  { id: 'export', label: 'Export', icon: 'export', summary: 'PLY, glTF, avatar bundle, web player, MP4 / PNG video, maps, mesh', available: true, section: 'export' },
];

/** The rail item lit for a section (the route table's): the Avatar item holds training, reports and the 3D viewport. */
export const capabilityOf = (section: ProjectSection | undefined): Capability['id'] => railItemOf(section);

export const LATER_NOTE = 'Coming in a later version';
