import { describe, expect, it } from '@jest/globals';
import { correctedOffset, decodeXml, parseListPage } from './put-object.js';

describe('clock correction of the lean PutObject (as the SDK signer does it)', () => {
  const now = Date.parse('2026-11-25T12:00:00Z');
  it("takes S3's Date when this host is more than 5 minutes off (a RequestTimeTooSkewed retry then signs right)", () => {
    expect(correctedOffset({ date: 'Wed, 25 Nov 2026 12:20:00 GMT' }, 0, now)).toBe(20 * 60_000);
    expect(correctedOffset({ date: 'Wed, 25 Nov 2026 11:40:00 GMT' }, 0, now)).toBe(-20 * 60_000);
  });
  it('keeps the offset within 5 minutes, without a Date, and for cached answers (Age)', () => {
    expect(correctedOffset({ date: 'Wed, 25 Nov 2026 12:02:00 GMT' }, 0, now)).toBe(0);
    expect(correctedOffset({ date: 'Wed, 25 Nov 2026 12:20:00 GMT' }, 20 * 60_000, now)).toBe(20 * 60_000);
    expect(correctedOffset({}, 7, now)).toBe(7);
    expect(correctedOffset({ date: 'Wed, 25 Nov 2026 12:20:00 GMT', age: '30' }, 0, now)).toBe(0);
  });
});

describe('reading S3 XML without the SDK', () => {
  it('decodes the named entities and numeric references, leaves other ampersands alone', () => {
    expect(decodeXml('a &amp; b &lt;c&gt; &quot;d&quot; &apos;e&apos; &#233; &#x1F600; &nbsp; & x')).toBe(
      'a & b <c> "d" \'e\' é 😀 &nbsp; & x',
    );
  });
  it('a truncated page must name the next one', () => {
    const page = (more: string) =>
      `<ListBucketResult><IsTruncated>true</IsTruncated>${more}<Contents><Key>a&amp;b</Key><ETag>&quot;e&quot;</ETag><Size>3</Size><LastModified>2026-01-02T03:04:05.000Z</LastModified></Contents></ListBucketResult>`;
    expect(parseListPage(page('<NextContinuationToken>t1</NextContinuationToken>'))).toEqual({
      objects: [{ Key: 'a&b', ETag: '"e"', Size: 3, LastModified: new Date('2026-01-02T03:04:05.000Z') }],
      next: 't1',
    });
    expect(() => parseListPage(page(''))).toThrow('truncated page without a NextContinuationToken');
  });
});
