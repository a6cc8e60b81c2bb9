import { describe, expect, it } from 'vitest';
import { decodeToken } from './token';

describe('token decoding', () => {
  const encode = (claims: object) =>
    `x.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;
  const now = new Date('2026-11-25T00:00:00Z');
  const future = Date.parse('2026-11-26T00:00:00Z') / 1000;

  it('reads the role and name', () => {
    expect(decodeToken(`Bearer ${encode({ sub: 'ann', role: 'viewer', exp: future })}`, now)).toMatchObject({
      name: 'ann',
      role: 'viewer',
    });
  });

  it('refuses what is not a dashboard token', () => {
    expect(decodeToken('ct_ingestkey', now)).toHaveProperty('error');
    expect(decodeToken(encode({ sub: 'ann', role: 'root', exp: future }), now)).toHaveProperty('error');
    expect(decodeToken(encode({ sub: 'ann', role: 'admin', exp: future - 86400 }), now)).toEqual({
      error: 'This token has expired. Ask for a new one.',
    });
  });
});
