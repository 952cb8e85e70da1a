/**
 * Characters that don't belong in a name shown to people: C0 and C1 control characters (NUL
 * included), DEL, and the bidirectional embedding, override and isolate characters
 * (U+202A-U+202E, U+2066-U+2069), which can make a name display as something else
 * (`report\u202Efdp.exe` reads as `reportexe.pdf`). Multiline text (descriptions) may also hold
 * tab, line feed and carriage return.
 */
const bidiControls = /[\u202a-\u202e\u2066-\u2069]/;
const lineControls = /[\u0000-\u001f\u007f-\u009f]/;
const multilineControls = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

export interface UnsafeCharacter {
  /** e.g. `U+202E` */
  codePoint: string;
  index: number;
  /** e.g. `a bidirectional control character` */
  what: string;
}

/** The first character of `text` that a name (or, for `multiline`, a description) must not hold, or null. */
export function unsafeCharacter(text: string, mode: 'line' | 'multiline' = 'line'): UnsafeCharacter | null {
  const control = (mode === 'multiline' ? multilineControls : lineControls).exec(text) ?? undefined;
  const bidi = bidiControls.exec(text) ?? undefined;
  const found = [control, bidi].filter((m) => m !== undefined).sort((a, b) => a.index - b.index)[0];
  if (!found) return null;
  return {
    codePoint: `U+${found[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`,
    index: found.index,
    what: bidi === found ? 'a bidirectional control character' : 'a control character',
  };
}
