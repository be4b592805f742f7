import { describe, expect, it } from 'vitest';
import pg from 'pg';
import { sqlLiteral } from './literal.ts';

describe('SQL literals', () => {
  it('quote strings exactly as the driver does', () => {
    const samples = ['', 'plain', "it's", "''", '\\', 'a\\b\'c', '{"k": "v\\"q\\" \'x\'"}', 'ünï\u0001cødé 💡', "\\'\\'"];
    for (let i = 0; i < 200; i++) samples.push(Array.from({ length: 40 }, () => "ab'\\\"c ".charAt(Math.floor(Math.random() * 8))).join(''));
    for (const s of samples) expect(sqlLiteral(s)).toBe(pg.escapeLiteral(s));
  });
});
