/**
 * Text built from parts that keeps at most `max` characters: the parts past it are dropped
 * (a result set of a million rows renders its first rows and counts the rest), so one
 * response never holds more than the column will carry.
 */
export class BoundedText {
  private parts: string[] = [];
  private length = 0;

  constructor(private readonly max: number) {}

  /** Appends `s`, or the part of it that still fits. */
  append(s: string): void {
    if (this.length >= this.max || s.length === 0) return;
    const room = this.max - this.length;
    const part = s.length > room ? s.slice(0, room) : s;
    this.parts.push(part);
    this.length += part.length;
  }

  /** Whether anything more would be dropped. */
  full(): boolean {
    return this.length >= this.max;
  }

  isEmpty(): boolean {
    return this.length === 0;
  }

  toString(): string {
    if (this.parts.length > 1) this.parts = [this.parts.join('')];
    return this.parts[0] ?? '';
  }
}

/** `s` cut to at most `max` characters. */
export function clip(s: string, max: number): string {
  return s.length > max ? s.slice(0, max) : s;
}

/** Whether `text` reads as text (SQL, names): not empty, no control bytes but tab and line ends. */
export function looksLikeText(text: string): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0x7f || c === 0xfffd) {
      return false;
    }
  }
  return true;
}
