import { randomBytes } from 'node:crypto';

/**
 * The delimiter of one judge call's material (question, answer, reference, context): 128 bits from the
 * operating system's CSPRNG, drawn when the prompt is built, after the answer exists, so no answer can
 * know the tag that closes it and pose as instructions after it. Checked anyway (ignoring case, as a
 * model may), and drawn again on the 2^-128 chance that some material contains it.
 */
export function newFence(material: readonly string[]): string {
  const lowered = material.map((text) => text.toLowerCase());
  for (let attempt = 0; attempt < 4; attempt++) {
    const fence = randomBytes(16).toString('hex');
    if (!lowered.some((text) => text.includes(fence))) return fence;
  }
  throw new Error('could not draw a judge fence absent from the material');
}
