#!/usr/bin/env python3
"""Writes the small .npy/.npz fixtures for tests/data-npy.test.ts into tests/fixtures/data/.

Each array's values are listed in manifest.json (flattened, C order) so the TypeScript tests can
check the parser against what NumPy itself wrote. Run: python3 scripts/make_npy_fixtures.py
"""
import json
import os

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'tests', 'fixtures', 'data')


def main() -> None:
    os.makedirs(OUT, exist_ok=True)
    manifest = {}

    def save(name, array, version=None):
        path = os.path.join(OUT, name)
        with open(path, 'wb') as handle:
            np.lib.format.write_array(handle, array, version=version)
        manifest[name] = {
            'dtype': array.dtype.name,
            'shape': list(array.shape),
            'values': array.astype(np.float64).ravel(order='C').tolist(),
        }

    base = np.arange(24, dtype=np.float64) - 7.25
    save('f4-2d.npy', (base[:12] * 1.5).astype('<f4').reshape(3, 4))
    save('f8-be-3d.npy', (base / 3).astype('>f8').reshape(2, 3, 4))
    save('f2-1d.npy', np.array([0.5, -2, 65504, 6.1035156e-05], dtype='<f2'))
    save('i1.npy', np.array([-128, -1, 0, 127], dtype='|i1'))
    save('i2-be.npy', np.array([[-32768, -2], [1, 32767]], dtype='>i2'))
    save('i4.npy', np.array([-2147483648, 0, 2147483647], dtype='<i4'))
    save('i8.npy', np.array([-(2**53), -5, 0, 2**53], dtype='<i8'))
    save('u1-3d.npy', np.arange(2 * 3 * 2, dtype='|u1').reshape(2, 3, 2) * 20)
    save('u2.npy', np.array([0, 54321, 65535], dtype='<u2'))
    save('u4-be.npy', np.array([0, 4000000000], dtype='>u4'))
    save('b1.npy', np.array([True, False, True], dtype='|b1'))
    save('scalar.npy', np.array(3.5, dtype='<f8'))
    save('v2-header.npy', np.arange(5, dtype='<i4'), version=(2, 0))
    save('v3-header.npy', np.arange(4, dtype='<f4'), version=(3, 0))

    # Column-major: the reader must refuse it rather than silently transpose.
    with open(os.path.join(OUT, 'fortran.npy'), 'wb') as handle:
        np.lib.format.write_array(handle, np.asfortranarray(np.arange(6, dtype='<f4').reshape(2, 3)))

    scores = np.linspace(0, 1, 50)
    labels = (np.arange(50) % 5 == 0).astype(np.int64)
    np.savez_compressed(os.path.join(OUT, 'compressed.npz'), scores=scores, labels=labels)
    np.savez(os.path.join(OUT, 'stored.npz'), image=np.arange(12, dtype=np.uint16).reshape(2, 2, 3))
    manifest['compressed.npz'] = {
        'scores': {'dtype': 'float64', 'shape': [50], 'values': scores.tolist()},
        'labels': {'dtype': 'int64', 'shape': [50], 'values': labels.astype(float).tolist()},
    }
    manifest['stored.npz'] = {
        'image': {'dtype': 'uint16', 'shape': [2, 2, 3], 'values': list(range(12))},
    }

    with open(os.path.join(OUT, 'manifest.json'), 'w') as handle:
        json.dump(manifest, handle, indent=1)
        handle.write('\n')


if __name__ == '__main__':
    main()
