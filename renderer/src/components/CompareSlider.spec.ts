import { describe, expect, it } from 'vitest';
import { fireEvent, render, screen } from '@testing-library/svelte';
import CompareSlider from './CompareSlider.svelte';

describe('CompareSlider', () => {
  it('is a keyboard-operable slider', async () => {
    render(CompareSlider, { before: '/b.jpg', after: '/a.jpg', width: 800, height: 600 });
    const s = screen.getByRole('slider');
    expect(s.getAttribute('aria-valuenow')).toBe('50');
    await fireEvent.keyDown(s, { key: 'ArrowRight' });
    expect(s.getAttribute('aria-valuenow')).toBe('52');
    await fireEvent.keyDown(s, { key: 'ArrowLeft', shiftKey: true });
    expect(s.getAttribute('aria-valuenow')).toBe('42');
    await fireEvent.keyDown(s, { key: 'Home' });
    expect(s.getAttribute('aria-valuenow')).toBe('0');
    await fireEvent.keyDown(s, { key: 'ArrowLeft' });
    expect(s.getAttribute('aria-valuenow')).toBe('0');
    await fireEvent.keyDown(s, { key: 'End' });
    expect(s.getAttribute('aria-valuenow')).toBe('100');
  });

  it('clips the stylized layer at the split', async () => {
    render(CompareSlider, { before: '/b.jpg', after: '/a.jpg', width: 800, height: 600, value: 30 });
    const after = screen.getByAltText('Stylized') as HTMLImageElement;
    expect(after.style.clipPath).toBe('inset(0 0 0 30%)');
    expect((screen.getByAltText('Original') as HTMLImageElement).src).toContain('/b.jpg');
  });

  it('at 100% sizes the frame to the natural result size', () => {
    const { container } = render(CompareSlider, { before: '/b.jpg', after: '/a.jpg', width: 1234, height: 567, zoom: '100' });
    const frame = container.querySelector('.frame') as HTMLElement;
    expect(frame.style.width).toBe('1234px');
    expect(frame.style.height).toBe('567px');
  });
});
