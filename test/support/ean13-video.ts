import { writeFile } from 'node:fs/promises';

// EAN-13's digit patterns (GS1 General Specifications 5.2.1.2): L and G on the left half, R on the right.
const patternL = ['0001101', '0011001', '0010011', '0111101', '0100011', '0110001', '0101111', '0111011', '0110111', '0001011'];
const patternG = ['0100111', '0110011', '0011011', '0100001', '0011101', '0111001', '0000101', '0010001', '0001001', '0010111'];
const patternR = ['1110010', '1100110', '1101100', '1000010', '1011100', '1001110', '1010000', '1000100', '1001000', '1110100'];
// The first digit is not drawn: it chooses which of the left six digits use G instead of L.
const parity = ['LLLLLL', 'LLGLGG', 'LLGGLG', 'LLGGGL', 'LGLLGG', 'LGGLLG', 'LGGGLL', 'LGLGLG', 'LGLGGL', 'LGGLGL'];

/** The 95 modules of an EAN-13 symbol ('1' a bar), from its 13 digits (check digit included). */
export function ean13Modules(code: string): string {
  if (!/^\d{13}$/.test(code)) throw new Error(`an EAN-13 has 13 digits: ${code}`);
  const digits = [...code].map(Number);
  const sets = parity[digits[0] ?? 0] ?? '';
  const left = digits.slice(1, 7).map((digit, index) => (sets[index] === 'G' ? patternG : patternL)[digit]).join('');
  const right = digits.slice(7).map((digit) => patternR[digit]).join('');
  return `101${left}01010${right}101`;
}

/**
 * Writes a Y4M video (what Chromium's --use-file-for-fake-video-capture plays in a loop) of one
 * grey-scale frame: the EAN-13 symbol of `code` drawn black on white, 4 pixels a module, with the
 * quiet zones the standard asks for, so the fake camera shows a printed label held still.
 */
export async function writeEan13Y4m(file: string, code: string, width = 640, height = 480): Promise<void> {
  const modules = ean13Modules(code);
  const moduleWidth = 4;
  const left = Math.floor((width - modules.length * moduleWidth) / 2);
  const top = Math.floor(height * 0.2);
  const bottom = Math.floor(height * 0.8);
  const luma = Buffer.alloc(width * height, 235);
  for (let y = top; y < bottom; y++) {
    for (let module = 0; module < modules.length; module++) {
      if (modules[module] === '1') luma.fill(16, y * width + left + module * moduleWidth, y * width + left + (module + 1) * moduleWidth);
    }
  }
  // 4:2:0 chroma at half size each way, 128 = no colour.
  const chroma = Buffer.alloc((width / 2) * (height / 2) * 2, 128);
  const header = Buffer.from(`YUV4MPEG2 W${width} H${height} F30:1 Ip A1:1 C420jpeg\n`);
  const frame = Buffer.concat([Buffer.from('FRAME\n'), luma, chroma]);
  await writeFile(file, Buffer.concat([header, frame]));
}
