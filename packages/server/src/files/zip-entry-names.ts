import { crc32 } from 'node:zlib';
import type yauzl from 'yauzl';

/**
 * The high half of IBM code page 437, the zip format's default encoding for names without the
 * UTF-8 flag (general purpose bit 11). The low half is read as ASCII: CP437's pictures for
 * control bytes (☺ for 0x01) are a display convention, and a control byte in a name is refused.
 */
const cp437High =
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0';

/** Bytes read as CP437. */
export function decodeCp437(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) text += byte < 0x80 ? String.fromCharCode(byte) : cp437High[byte - 0x80]!;
  return text;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The bytes as UTF-8, or null if they aren't valid UTF-8. */
function decodeUtf8(bytes: Uint8Array): string | null {
  try {
    return utf8.decode(bytes);
  } catch {
    return null;
  }
}

/**
 * How a zip's names without the UTF-8 flag are read: `utf-8`, `cp437`, or an encoding label
 * TextDecoder knows (`windows-1252`, `iso-8859-2`, …) taken from a Shapefile's `.cpg`.
 */
export type ZipNameEncoding = string;

/**
 * The TextDecoder label for what a Shapefile's `.cpg` says, or null if it names nothing known.
 * `.cpg` files hold a code page number (`1252`, `ANSI 1252`, `65001`), an ISO 8859 name in one
 * of its spellings (`ISO-8859-1`, `ISO88591`, `8859_1`, `88591`) or an encoding name (`UTF-8`).
 */
export function cpgEncoding(text: string): ZipNameEncoding | null {
  const name = text.replace(/^\uFEFF/, '').trim().toUpperCase().replace(/^(ANSI|OEM|CP|WINDOWS)[\s_-]*/, '');
  if (name === '') return null;
  if (name === '437') return 'cp437';
  if (name === '65001' || name === 'UTF8' || name === 'UTF-8') return 'utf-8';
  const iso = /^(?:ISO)?[\s_-]*8859[\s_-]*(\d{1,2})$/.exec(name) ?? /^8859(\d{1,2})$/.exec(name);
  const isoCodePage = /^286(\d{2})$/.exec(name) ?? /^2859(\d)$/.exec(name);
  const numbered: Record<string, string> = {
    '866': 'ibm866', '874': 'windows-874', '932': 'shift_jis', '936': 'gbk', '949': 'euc-kr', '950': 'big5',
    '1250': 'windows-1250', '1251': 'windows-1251', '1252': 'windows-1252', '1253': 'windows-1253', '1254': 'windows-1254',
    '1255': 'windows-1255', '1256': 'windows-1256', '1257': 'windows-1257', '1258': 'windows-1258', '20866': 'koi8-r', '21866': 'koi8-u',
  };
  const label = iso
    ? `iso-8859-${Number(iso[1])}`
    : isoCodePage
      ? `iso-8859-${Number(isoCodePage[1])}`
      : Object.hasOwn(numbered, name)
        ? numbered[name]!
        : name.toLowerCase();
  try {
    new TextDecoder(label);
    return label;
  } catch {
    return null;
  }
}

// C0 and C1 controls: what a wrong single-byte guess produces (windows-1252 leaves 0x81 as U+0081).
const controlCharacter = /[\u0000-\u001f\u007f-\u009f]/;

/** The bytes in this encoding, or null if they don't decode to a plausible name in it. */
function decodeAs(bytes: Uint8Array, encoding: ZipNameEncoding): string | null {
  if (encoding === 'cp437') return decodeCp437(bytes);
  if (encoding === 'utf-8') return decodeUtf8(bytes);
  let text: string;
  try {
    text = new TextDecoder(encoding, { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
  return controlCharacter.test(text) && !controlCharacter.test(decodeCp437(bytes)) ? null : text;
}

/**
 * An entry's name as the zip itself declares it: UTF-8 under the UTF-8 flag, or Info-ZIP's
 * Unicode Path extra field (0x7075, version 1) when its CRC matches the header's name, as the
 * APPNOTE says (the field is ignored otherwise). Null when the zip says nothing.
 */
function declaredName(entry: yauzl.Entry): string | null {
  if ((entry.generalPurposeBitFlag & 0x800) !== 0) return entry.fileNameRaw.toString('utf8');
  for (const field of entry.extraFields) {
    if (field.id !== 0x7075 || field.data.length < 6 || field.data.readUInt8(0) !== 1) continue;
    if (crc32(entry.fileNameRaw) === field.data.readUInt32LE(1)) return field.data.subarray(5).toString('utf8');
  }
  return null;
}

function isAscii(bytes: Uint8Array): boolean {
  return bytes.every((byte) => byte < 0x80);
}

/**
 * The encoding of a zip's names that don't declare one (no UTF-8 flag, no Unicode Path extra
 * field), chosen once for the whole archive, since one tool wrote every name and a folder's name
 * must read the same in every path that holds it: UTF-8 if every such name is valid UTF-8 (macOS,
 * Info-ZIP under a UTF-8 locale, 7-Zip), else the code page a Shapefile's `.cpg` names (`cpg`,
 * when the names decode in it), else CP437 (Info-ZIP elsewhere, Windows Explorer in the US).
 */
export function chooseNameEncoding(entries: yauzl.Entry[], cpg: ZipNameEncoding | null): ZipNameEncoding {
  const undeclared = entries.filter((entry) => declaredName(entry) === null && !isAscii(entry.fileNameRaw));
  if (undeclared.every((entry) => decodeUtf8(entry.fileNameRaw) !== null)) return 'utf-8';
  if (cpg && cpg !== 'utf-8' && undeclared.every((entry) => decodeAs(entry.fileNameRaw, cpg) !== null)) return cpg;
  return 'cp437';
}

/**
 * An entry's name (read with `decodeStrings: false`): as the zip declares it, else in `encoding`
 * (from {@link chooseNameEncoding}). Backslashes are kept, for the caller's path check.
 */
export function entryName(entry: yauzl.Entry, encoding: ZipNameEncoding): string {
  return declaredName(entry) ?? decodeAs(entry.fileNameRaw, encoding) ?? decodeCp437(entry.fileNameRaw);
}

/** The entries that are Shapefile code page files beside a `.shp` or `.dbf` of the same name, by their raw names. */
export function shapefileCpgEntries(entries: yauzl.Entry[]): yauzl.Entry[] {
  // Names compared as latin1, byte for byte: the encoding isn't known yet, and doesn't matter here.
  const names = new Set(entries.map((entry) => entry.fileNameRaw.toString('latin1').toLowerCase()));
  return entries.filter((entry) => {
    const name = entry.fileNameRaw.toString('latin1').toLowerCase();
    if (!name.endsWith('.cpg')) return false;
    const stem = name.slice(0, -'.cpg'.length);
    return names.has(`${stem}.shp`) || names.has(`${stem}.dbf`);
  });
}
