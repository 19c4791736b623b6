/**
 * Review text as the exports ship it carries HTML (SNAP's Fine Food: `<br />` for line
 * breaks, `&quot;`, links to other products); the `amazon` schema holds plain text. Line
 * breaks become newlines (silver keeps paragraphs), a link keeps its visible text, other
 * tags go, entities are decoded. Blank text becomes NULL.
 */
const NAMED: Record<string, string> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0', ntilde: 'ñ', eacute: 'é', egrave: 'è',
  aacute: 'á', oacute: 'ó', uacute: 'ú', iacute: 'í', uuml: 'ü', ouml: 'ö', auml: 'ä', ccedil: 'ç',
  hellip: '…', mdash: '—', ndash: '–', rsquo: '’', lsquo: '‘', rdquo: '”', ldquo: '“', deg: '°', reg: '®', trade: '™', copy: '©',
};

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? Number.parseInt(name.slice(2), 16) : Number.parseInt(name.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED[name.toLowerCase()] ?? whole;
  });
}

export function plainText(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  let text = value;
  if (text.includes('<')) {
    text = text
      .replace(/<br\s*\/?>/gi, '\n')
      .replace(/<\/?p\s*>/gi, '\n')
      .replace(/<a\s[^>]*>([^<]*)<\/a>/gi, '$1')
      .replace(/<\/?[a-z][^>]{0,200}>/gi, '');
  }
  if (text.includes('&')) text = decodeEntities(text);
  return text.trim() === '' ? null : text;
}
