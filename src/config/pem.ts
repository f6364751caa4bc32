/** One `-----BEGIN <label>----- … -----END <label>-----` block, re-assembled as PEM text. */
export interface PemBlock {
  label: string;
  pem: string;
}

// Kafka allows inline PEM values on one line (newlines removed), so the body may hold blanks or nothing
// between the markers and base64: the body is re-wrapped here.
const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

export function pemBlocks(text: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  for (const match of text.matchAll(BLOCK)) {
    const label = match[1] as string;
    // A legacy encrypted key carries "Proc-Type:" headers inside the block: keep it exactly.
    if ((match[2] as string).includes(':')) {
      blocks.push({ label, pem: `${match[0]}\n` });
      continue;
    }
    const body = (match[2] as string).replace(/\s+/g, '');
    const lines = body.match(/.{1,64}/g) ?? [];
    blocks.push({ label, pem: `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n` });
  }
  return blocks;
}

export const isCertificate = (block: PemBlock): boolean => block.label === 'CERTIFICATE';
export const isPrivateKey = (block: PemBlock): boolean => block.label.endsWith('PRIVATE KEY');

export function joinPem(blocks: PemBlock[]): string {
  return blocks.map((b) => b.pem).join('');
}
