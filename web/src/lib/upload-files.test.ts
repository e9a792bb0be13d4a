import { describe, expect, it } from 'vitest';
import { uploadPaths } from './upload-files.ts';

describe('uploadPaths', () => {
  it("drops the one folder's own name, as the CLI takes a folder's contents", () => {
    expect(uploadPaths(['shapes/a.png', 'shapes/b.png'])).toEqual(['a.png', 'b.png']);
    expect(uploadPaths(['pets/cats/1.png', 'pets/dogs/1.png'])).toEqual(['cats/1.png', 'dogs/1.png']);
  });
  it('keeps class or A/B folders when several were dropped, and loose files as named', () => {
    expect(uploadPaths(['A/1.png', 'B/1.png'])).toEqual(['A/1.png', 'B/1.png']);
    expect(uploadPaths(['a.png', 'b.png'])).toEqual(['a.png', 'b.png']);
    expect(uploadPaths(['shapes/a.png', 'c.png'])).toEqual(['shapes/a.png', 'c.png']);
  });
});
