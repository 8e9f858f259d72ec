#!/usr/bin/python3
"""Writes the .npy fixtures of io.numpywren.npy's tests into this directory.

Run with Debian's numpy (1.24): /usr/bin/python3 make_fixtures.py
The files are committed; rerunning this script reproduces them byte for byte.

Naming: <dtype>_<order>_<content>_<shape>.npy, where content is
  formula: a[i, j] = i * 1000 + j + 0.25 (exact in float32, so tests recompute it),
  random:  np.random.default_rng(seed) values, for byte-for-byte round trips.
rejected_*.npy are files the importer must refuse.
"""
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def formula(rows, cols):
    i = np.arange(rows, dtype=np.float64)[:, None]
    j = np.arange(cols, dtype=np.float64)[None, :]
    return i * 1000 + j + 0.25


def save(name, array):
    np.save(os.path.join(HERE, name), array)


def save_version(name, array, version):
    with open(os.path.join(HERE, name), "wb") as f:
        np.lib.format.write_array(f, array, version=version)


def main():
    a = formula(37, 23)
    save("f8_c_formula_37x23.npy", a)
    save("f8_f_formula_37x23.npy", np.asfortranarray(a))
    save("f4_c_formula_37x23.npy", a.astype("<f4"))
    save("f4_f_formula_37x23.npy", np.asfortranarray(a.astype("<f4")))
    save("f8be_c_formula_37x23.npy", a.astype(">f8"))
    save("f4be_f_formula_37x23.npy", np.asfortranarray(a.astype(">f4")))
    save("f8_1d_formula_50.npy", formula(50, 1)[:, 0])
    save_version("f8_c_formula_5x4_v2.npy", formula(5, 4), (2, 0))
    save_version("f8_f_formula_5x4_v3.npy", np.asfortranarray(formula(5, 4)), (3, 0))

    rng = np.random.default_rng(20240611)
    r = rng.standard_normal((40, 30))
    save("f8_c_random_40x30.npy", r)
    save("f8_f_random_40x30.npy", np.asfortranarray(r))
    r32 = rng.standard_normal((33, 47)).astype("<f4")
    save("f4_c_random_33x47.npy", r32)
    save("f4_f_random_33x47.npy", np.asfortranarray(r32))

    save("rejected_int64.npy", np.arange(12, dtype="<i8").reshape(3, 4))
    save("rejected_complex128.npy", np.ones((3, 4), dtype="<c16"))
    save("rejected_3d.npy", np.zeros((2, 3, 4)))
    save("rejected_0d.npy", np.float64(1.5))
    save("rejected_object.npy", np.array([[1.0, "x"], [None, 2]], dtype=object))
    save("rejected_structured.npy", np.zeros((3,), dtype=[("x", "<f8"), ("y", "<f4")]))
    whole = formula(6, 5)
    save("rejected_truncated.npy", whole)
    path = os.path.join(HERE, "rejected_truncated.npy")
    with open(path, "r+b") as f:
        f.truncate(os.path.getsize(path) - 12)  # one and a half values short


if __name__ == "__main__":
    main()
