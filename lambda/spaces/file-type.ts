/** Spaces' `fileType` for a MIME type: it decides how the client previews the file. */
export type SpacesFileType = 'image' | 'video' | 'audio' | 'document';

export function fileTypeOf(mime: string): SpacesFileType {
  const top = mime.split('/')[0]?.trim().toLowerCase();
  return top === 'image' || top === 'video' || top === 'audio' ? top : 'document';
}
