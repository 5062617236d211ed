import type { Associate } from '../../payments/index.ts';

/**
 * The associates directory follows the patent's site map (contents, shopping, calling, public
 * inquiry); the payments module's finer categories are placed in those four sections.
 */
export const DIRECTORY_SECTIONS = [
  { id: 'contents', categories: ['contents', 'pc_communication'] },
  { id: 'shopping', categories: ['shopping'] },
  { id: 'calling', categories: ['calling', 'voicemail'] },
  { id: 'public_inquiry', categories: ['public_inquiry'] },
] as const satisfies readonly {
  readonly id: string;
  readonly categories: readonly Associate['category'][];
}[];

export type DirectorySectionId = (typeof DIRECTORY_SECTIONS)[number]['id'];

export interface DirectoryEntry {
  readonly name: string;
  readonly category: Associate['category'];
}

/** Associates grouped into the directory's sections, by name within each; pure. */
export function directorySections(
  associates: readonly DirectoryEntry[],
): { readonly id: DirectorySectionId; readonly entries: readonly DirectoryEntry[] }[] {
  return DIRECTORY_SECTIONS.map((section) => ({
    id: section.id,
    entries: associates
      .filter((a) => (section.categories as readonly string[]).includes(a.category))
      .sort((a, b) => a.name.localeCompare(b.name, 'ko')),
  }));
}
