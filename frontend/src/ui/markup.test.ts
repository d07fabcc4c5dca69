// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { bodyText, bodyToSource, renderBody } from './markup';

function html(body: string): string {
  const div = document.createElement('div');
  div.append(renderBody(body));
  return div.innerHTML;
}

describe('renderBody (defence in depth behind the server cleaning)', () => {
  it('keeps the allowed inline markup', () => {
    expect(html('a <b>b</b> <i>i</i> <em>e</em> <strong>s</strong> <code>c</code>')).toBe(
      'a <b>b</b> <i>i</i> <em>e</em> <strong>s</strong> <code>c</code>',
    );
  });

  it('drops anything else, keeping its text', () => {
    expect(html('<img src=x onerror=alert(1)>hi')).toBe('hi');
    expect(html('<script>alert(1)</script>')).toBe('alert(1)');
    expect(html('<div onclick="x()">in <u>u</u></div>')).toBe('in u');
    expect(html('<b onmouseover="x()">b</b>')).toBe('<b>b</b>');
  });

  it('keeps only http(s) links, with a safe rel', () => {
    expect(html('<a href="https://example.com/x">x</a>')).toBe(
      '<a href="https://example.com/x" rel="noopener noreferrer nofollow" target="_blank">x</a>',
    );
    expect(html('<a href="javascript:alert(1)">x</a>')).toBe('<a>x</a>');
    expect(html('<a href=" JaVaScRiPt:alert(1)">x</a>')).toBe('<a>x</a>');
    expect(html('<a href="data:text/html,hi">x</a>')).toBe('<a>x</a>');
    expect(html('<a href="/relative">x</a>')).toBe('<a>x</a>');
  });

  it('shows escaped text as text', () => {
    expect(html('a &lt;b&gt; c')).toBe('a &lt;b&gt; c');
    expect(bodyText('a &lt;b&gt; &amp; c')).toBe('a <b> & c');
  });
});

describe('bodyToSource', () => {
  it('gives back what the author typed', () => {
    expect(bodyToSource('a &lt; b &amp;&amp; <b>bold</b>')).toBe('a < b && <b>bold</b>');
    expect(bodyToSource('<a href="https://e.com" rel="noopener noreferrer nofollow">e</a>')).toBe('<a href="https://e.com/">e</a>');
    expect(bodyToSource('line 1\nline 2')).toBe('line 1\nline 2');
  });
});

describe('server-rendered Markdown', () => {
  it('keeps lists, quotes, strike and marks as elements', () => {
    const host = document.createElement('div');
    host.appendChild(renderBody('<blockquote>q</blockquote><ul><li>a</li></ul><del>x</del><mark>m</mark>'));
    expect(host.innerHTML).toBe('<blockquote>q</blockquote><ul><li>a</li></ul><del>x</del><mark>m</mark>');
  });
});
