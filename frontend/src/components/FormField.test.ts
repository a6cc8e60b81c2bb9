import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { FormField, InputField, SelectField } from './FormField';

/** The rendered field, parsed just enough to read ids and attributes. */
function render(element: ReturnType<typeof createElement>) {
  const html = renderToStaticMarkup(element);
  const attribute = (tag: string, name: string) => html.match(new RegExp(`<${tag}[^>]*\\s${name}="([^"]*)"`))?.[1];
  return { html, attribute };
}

describe('FormField', () => {
  it('points the label at the control', () => {
    const { html, attribute } = render(createElement(InputField, { label: 'Amount (USD)', inputMode: 'decimal', required: true }));
    expect(attribute('label', 'for')).toBeTruthy();
    expect(attribute('input', 'id')).toBe(attribute('label', 'for'));
    expect(html).toContain('>Amount (USD)</label>');
    expect(attribute('input', 'inputMode')).toBe('decimal');
    expect(html).not.toContain('aria-describedby');
    expect(html).not.toContain('aria-invalid');
    expect(html.startsWith('<div class="field">')).toBe(true);
  });

  it('describes the control by its hint and its error, and marks it invalid', () => {
    const { html, attribute } = render(
      createElement(InputField, { label: 'Name', hint: 'Shown on the card.', error: 'A name is required.', className: 'field-wide' }),
    );
    const [hintId, errorId] = (attribute('input', 'aria-describedby') ?? '').split(' ');
    expect(hintId).toBeTruthy();
    expect(errorId).toBeTruthy();
    expect(html).toContain(`<p id="${hintId}" class="field-hint">Shown on the card.</p>`);
    expect(html).toContain(`<p id="${errorId}" class="field-error" role="alert">A name is required.</p>`);
    expect(attribute('input', 'aria-invalid')).toBe('true');
    expect(html.startsWith('<div class="field field-wide">')).toBe(true);
  });

  it('labels a select and keeps its options', () => {
    const { html, attribute } = render(
      createElement(SelectField, { label: 'Provider', defaultValue: 'anthropic' }, [
        createElement('option', { key: 'openai', value: 'openai' }, 'openai'),
        createElement('option', { key: 'anthropic', value: 'anthropic' }, 'anthropic'),
      ]),
    );
    expect(attribute('select', 'id')).toBe(attribute('label', 'for'));
    expect(html).toContain('<option value="anthropic" selected="">anthropic</option>');
  });

  it('hands its ids to a control it does not know', () => {
    const { attribute } = render(
      createElement(FormField, {
        label: 'Model',
        hint: 'From the price book.',
        children: (control) => createElement('input', { ...control, list: 'models' }),
      }),
    );
    expect(attribute('input', 'id')).toBe(attribute('label', 'for'));
    expect(attribute('input', 'aria-describedby')).toBe(attribute('p', 'id'));
  });
});
