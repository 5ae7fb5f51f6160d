/*
 * WebAssembly SIMD kernels that run on the tfjs 'wasm' backend's own heap (the module imports the
 * backend's WebAssembly.Memory; every pointer below is a tensor's memoryOffset). Built by build.sh
 * into kernels-wasm.ts; loaded by ../simd.ts; the TypeScript reference of each kernel (used on the
 * 'cpu' backend and in the tests) is in ../batch-norm.ts, ../resample.ts, ../layout.ts and ../adam.ts;
 * the Conv2D filter gradient and the k-NN kernels are tested against stock tfjs and brute force.
 *
 * Rules that keep the module from touching memory it does not own: no static data, no globals, no
 * library calls; scratch space is passed in by the caller. (build.sh checks the output for data
 * segments; the shadow stack is relocated by simd.ts to a block it allocates with the backend's malloc.)
 *
 * Layout: NHWC, channels innermost. Vector paths need a channel count that is a multiple of 4;
 * otherwise the scalar loops run (same arithmetic). Every function only reads its inputs and writes
 * its outputs, so calls on disjoint outputs may run on several threads (src/main/parallel/simd-workers.ts).
 */
#include <wasm_simd128.h>

typedef unsigned int u32;
#define EXPORT(name) __attribute__((export_name(#name)))
#define BLOCK 64 /* pixels summed in float32 before they are added to the float64 totals */

static inline u32 min_u32(u32 a, u32 b) { return a < b ? a : b; }

/* ---------------------------------------------------------------------------------------------
 * Batch norm (training): per-channel mean and biased variance, two passes, float32 block sums
 * accumulated in float64. part: C floats of scratch; sums: 2C doubles of scratch.
 * ------------------------------------------------------------------------------------------- */
EXPORT(bn_stats)
void bn_stats(const float* x, u32 pixels, u32 C, float* mean_out, float* var_out, float* part, double* sums) {
  double* s1 = sums;
  double* s2 = sums + C;
  for (u32 c = 0; c < C; c++) { s1[c] = 0; s2[c] = 0; }
  const int vec = (C & 3) == 0;
  for (u32 p0 = 0; p0 < pixels; p0 += BLOCK) {
    const u32 p1 = min_u32(pixels, p0 + BLOCK);
    if (vec) {
      for (u32 c = 0; c < C; c += 4) {
        v128_t acc = wasm_f32x4_splat(0.f);
        for (u32 p = p0; p < p1; p++) acc = wasm_f32x4_add(acc, wasm_v128_load(x + (unsigned long)p * C + c));
        wasm_v128_store(part + c, acc);
      }
    } else {
      for (u32 c = 0; c < C; c++) {
        float acc = 0.f;
        for (u32 p = p0; p < p1; p++) acc += x[(unsigned long)p * C + c];
        part[c] = acc;
      }
    }
    for (u32 c = 0; c < C; c++) s1[c] += part[c];
  }
  for (u32 c = 0; c < C; c++) { s1[c] /= (double)pixels; mean_out[c] = (float)s1[c]; }
  for (u32 p0 = 0; p0 < pixels; p0 += BLOCK) {
    const u32 p1 = min_u32(pixels, p0 + BLOCK);
    if (vec) {
      for (u32 c = 0; c < C; c += 4) {
        const v128_t m = wasm_f32x4_make((float)s1[c], (float)s1[c + 1], (float)s1[c + 2], (float)s1[c + 3]);
        v128_t acc = wasm_f32x4_splat(0.f);
        for (u32 p = p0; p < p1; p++) {
          const v128_t d = wasm_f32x4_sub(wasm_v128_load(x + (unsigned long)p * C + c), m);
          acc = wasm_f32x4_add(acc, wasm_f32x4_mul(d, d));
        }
        wasm_v128_store(part + c, acc);
      }
    } else {
      for (u32 c = 0; c < C; c++) {
        const float m = (float)s1[c];
        float acc = 0.f;
        for (u32 p = p0; p < p1; p++) { const float d = x[(unsigned long)p * C + c] - m; acc += d * d; }
        part[c] = acc;
      }
    }
    for (u32 c = 0; c < C; c++) s2[c] += part[c];
  }
  for (u32 c = 0; c < C; c++) var_out[c] = (float)(s2[c] / (double)pixels);
}

/* y = leaky((x − mean)·scale + shift [+ r]); r may be 0 (null). leak > 0. */
EXPORT(bn_apply)
void bn_apply(const float* x, const float* r, float* y, u32 pixels, u32 C, const float* mean, const float* scale, const float* shift, float leak) {
  if ((C & 3) == 0) {
    const v128_t zero = wasm_f32x4_splat(0.f);
    const v128_t k = wasm_f32x4_splat(leak);
    for (u32 p = 0; p < pixels; p++) {
      const unsigned long base = (unsigned long)p * C;
      for (u32 c = 0; c < C; c += 4) {
        v128_t v = wasm_f32x4_add(wasm_f32x4_mul(wasm_f32x4_sub(wasm_v128_load(x + base + c), wasm_v128_load(mean + c)), wasm_v128_load(scale + c)), wasm_v128_load(shift + c));
        if (r) v = wasm_f32x4_add(v, wasm_v128_load(r + base + c));
        wasm_v128_store(y + base + c, wasm_v128_bitselect(v, wasm_f32x4_mul(v, k), wasm_f32x4_gt(v, zero)));
      }
    }
    return;
  }
  for (u32 p = 0; p < pixels; p++) {
    const unsigned long base = (unsigned long)p * C;
    for (u32 c = 0; c < C; c++) {
      float v = (x[base + c] - mean[c]) * scale[c] + shift[c];
      if (r) v += r[base + c];
      y[base + c] = v > 0.f ? v : v * leak;
    }
  }
}

/*
 * Gradient, pass 1: g = dy·(y > 0 ? 1 : leak); sums[c] = Σg, sums[C + c] = Σ g·(x − mean).
 * part: 2C floats of scratch; sums: 2C doubles.
 */
EXPORT(bn_grad_sums)
void bn_grad_sums(const float* dy, const float* x, const float* y, u32 pixels, u32 C, const float* mean, float leak, float* part, double* sums) {
  double* sg = sums;
  double* sgx = sums + C;
  for (u32 c = 0; c < C; c++) { sg[c] = 0; sgx[c] = 0; }
  const v128_t zero = wasm_f32x4_splat(0.f);
  const v128_t k = wasm_f32x4_splat(leak);
  for (u32 p0 = 0; p0 < pixels; p0 += BLOCK) {
    const u32 p1 = min_u32(pixels, p0 + BLOCK);
    if ((C & 3) == 0) {
      for (u32 c = 0; c < C; c += 4) {
        const v128_t m = wasm_v128_load(mean + c);
        v128_t a = zero, b = zero;
        for (u32 p = p0; p < p1; p++) {
          const unsigned long i = (unsigned long)p * C + c;
          const v128_t d = wasm_v128_load(dy + i);
          const v128_t g = wasm_v128_bitselect(d, wasm_f32x4_mul(d, k), wasm_f32x4_gt(wasm_v128_load(y + i), zero));
          a = wasm_f32x4_add(a, g);
          b = wasm_f32x4_add(b, wasm_f32x4_mul(g, wasm_f32x4_sub(wasm_v128_load(x + i), m)));
        }
        wasm_v128_store(part + c, a);
        wasm_v128_store(part + C + c, b);
      }
    } else {
      for (u32 c = 0; c < C; c++) {
        float a = 0.f, b = 0.f;
        for (u32 p = p0; p < p1; p++) {
          const unsigned long i = (unsigned long)p * C + c;
          const float g = y[i] > 0.f ? dy[i] : dy[i] * leak;
          a += g;
          b += g * (x[i] - mean[c]);
        }
        part[c] = a;
        part[C + c] = b;
      }
    }
    for (u32 c = 0; c < C; c++) { sg[c] += part[c]; sgx[c] += part[C + c]; }
  }
}

/* Gradient, pass 2: dx = factor·(g − meanG − (x − mean)·meanGX); dr = g when dr is not null. */
EXPORT(bn_grad_apply)
void bn_grad_apply(const float* dy, const float* x, const float* y, u32 pixels, u32 C, const float* mean, const float* factor, const float* mean_g, const float* mean_gx, float leak, float* dx, float* dr) {
  if ((C & 3) == 0) {
    const v128_t zero = wasm_f32x4_splat(0.f);
    const v128_t k = wasm_f32x4_splat(leak);
    for (u32 p = 0; p < pixels; p++) {
      const unsigned long base = (unsigned long)p * C;
      for (u32 c = 0; c < C; c += 4) {
        const unsigned long i = base + c;
        const v128_t d = wasm_v128_load(dy + i);
        const v128_t g = wasm_v128_bitselect(d, wasm_f32x4_mul(d, k), wasm_f32x4_gt(wasm_v128_load(y + i), zero));
        if (dr) wasm_v128_store(dr + i, g);
        const v128_t centred = wasm_f32x4_sub(wasm_v128_load(x + i), wasm_v128_load(mean + c));
        const v128_t inner = wasm_f32x4_sub(wasm_f32x4_sub(g, wasm_v128_load(mean_g + c)), wasm_f32x4_mul(centred, wasm_v128_load(mean_gx + c)));
        wasm_v128_store(dx + i, wasm_f32x4_mul(wasm_v128_load(factor + c), inner));
      }
    }
    return;
  }
  for (u32 p = 0; p < pixels; p++) {
    const unsigned long base = (unsigned long)p * C;
    for (u32 c = 0; c < C; c++) {
      const unsigned long i = base + c;
      const float g = y[i] > 0.f ? dy[i] : dy[i] * leak;
      if (dr) dr[i] = g;
      dx[i] = factor[c] * ((g - mean_g[c]) - (x[i] - mean[c]) * mean_gx[c]);
    }
  }
}

/* ---------------------------------------------------------------------------------------------
 * 2× resampling, NHWC. src/dst sizes: upsample [B,H,W,C] → [B,2H,2W,C]; block_sum and spread the
 * reverse / same direction as named. Rows of the output that repeat are copied with memory.copy.
 * ------------------------------------------------------------------------------------------- */
static inline void copy_floats(float* dst, const float* src, u32 n) {
  u32 i = 0;
  for (; i + 4 <= n; i += 4) wasm_v128_store(dst + i, wasm_v128_load(src + i));
  for (; i < n; i++) dst[i] = src[i];
}

EXPORT(upsample2x)
void upsample2x(const float* src, float* dst, u32 B, u32 H, u32 W, u32 C, float scale) {
  const unsigned long row_in = (unsigned long)W * C;
  const unsigned long row_out = 2 * row_in;
  const v128_t s = wasm_f32x4_splat(scale);
  const int vec = (C & 3) == 0;
  for (u32 b = 0; b < B; b++) {
    for (u32 i = 0; i < H; i++) {
      const float* in = src + ((unsigned long)b * H + i) * row_in;
      float* out = dst + ((unsigned long)b * 2 * H + 2 * i) * row_out;
      for (u32 j = 0; j < W; j++) {
        const float* from = in + (unsigned long)j * C;
        float* to = out + 2UL * j * C;
        if (vec) {
          for (u32 c = 0; c < C; c += 4) {
            const v128_t v = wasm_f32x4_mul(wasm_v128_load(from + c), s);
            wasm_v128_store(to + c, v);
            wasm_v128_store(to + C + c, v);
          }
        } else {
          for (u32 c = 0; c < C; c++) { const float v = from[c] * scale; to[c] = v; to[C + c] = v; }
        }
      }
      __builtin_memcpy(out + row_out, out, row_out * sizeof(float));
    }
  }
}

/* dst [B,H,W,C] = scale·(sum of each 2×2 block of src [B,2H,2W,C]). */
EXPORT(block_sum2x)
void block_sum2x(const float* src, float* dst, u32 B, u32 H, u32 W, u32 C, float scale) {
  const unsigned long row_out = (unsigned long)W * C;
  const unsigned long row_in = 2 * row_out;
  const v128_t s = wasm_f32x4_splat(scale);
  const int vec = (C & 3) == 0;
  for (u32 b = 0; b < B; b++) {
    for (u32 i = 0; i < H; i++) {
      const float* top = src + ((unsigned long)b * 2 * H + 2 * i) * row_in;
      const float* bottom = top + row_in;
      float* out = dst + ((unsigned long)b * H + i) * row_out;
      for (u32 j = 0; j < W; j++) {
        const unsigned long left = 2UL * j * C;
        float* to = out + (unsigned long)j * C;
        if (vec) {
          for (u32 c = 0; c < C; c += 4) {
            const v128_t a = wasm_f32x4_add(wasm_v128_load(top + left + c), wasm_v128_load(top + left + C + c));
            const v128_t d = wasm_f32x4_add(wasm_v128_load(bottom + left + c), wasm_v128_load(bottom + left + C + c));
            wasm_v128_store(to + c, wasm_f32x4_mul(wasm_f32x4_add(a, d), s));
          }
        } else {
          for (u32 c = 0; c < C; c++) {
            to[c] = ((top[left + c] + top[left + C + c]) + (bottom[left + c] + bottom[left + C + c])) * scale;
          }
        }
      }
    }
  }
}

/* ---------------------------------------------------------------------------------------------
 * Layout changes for the Conv2D gradients (conv2d-gradient.ts).
 * ------------------------------------------------------------------------------------------- */

/* x [B,H,W,C] → out [C, H+top+bottom, W+left+right, B], zero padding (out must be zeroed by the caller
   only where padding lies: this kernel writes the whole output). */
EXPORT(pad_to_cHWB)
void pad_to_cHWB(const float* x, float* out, u32 B, u32 H, u32 W, u32 C, u32 top, u32 bottom, u32 left, u32 right) {
  const u32 Hp = H + top + bottom;
  const u32 Wp = W + left + right;
  const unsigned long plane = (unsigned long)Hp * Wp * B; /* one output channel */
  __builtin_memset(out, 0, plane * C * sizeof(float));
  for (u32 y = 0; y < H; y++) {
    for (u32 xx = 0; xx < W; xx++) {
      /* a B × C block (rows of C at stride H·W·C) → C × B (rows of B at stride plane) */
      float* to = out + ((unsigned long)(y + top) * Wp + (xx + left)) * B;
      const float* from = x + ((unsigned long)y * W + xx) * C;
      const unsigned long stride_b = (unsigned long)H * W * C;
      for (u32 b = 0; b < B; b++) {
        const float* row = from + b * stride_b;
        for (u32 c = 0; c < C; c++) to[c * plane + b] = row[c];
      }
    }
  }
}

/* dy [B,H,W,C] → out [H,W,B,C]. */
EXPORT(bhwc_to_hwbc)
void bhwc_to_hwbc(const float* dy, float* out, u32 B, u32 H, u32 W, u32 C) {
  const unsigned long pixels = (unsigned long)H * W;
  for (u32 b = 0; b < B; b++) {
    const float* from = dy + b * pixels * C;
    for (unsigned long p = 0; p < pixels; p++) copy_floats(out + (p * B + b) * C, from + p * C, C);
  }
}

/* ---------------------------------------------------------------------------------------------
 * Adam (PyTorch's rule), one parameter tensor:
 *   m' = β1·m + (1 − β1)·g;  v' = β2·v + (1 − β2)·g²;  p' = p − (lr/c1)·m' / (sqrt(v'/c2) + ε)
 * with c1 = 1 − β1^t, c2 = 1 − β2^t (step_size = lr/c1). Writes p', m', v' to new buffers.
 * ------------------------------------------------------------------------------------------- */
EXPORT(adam)
void adam(const float* p, const float* g, const float* m, const float* v, float* p_out, float* m_out, float* v_out, u32 n,
          float beta1, float beta2, float one_minus_beta1, float one_minus_beta2, float step_size, float c2, float eps) {
  u32 i = 0;
  const v128_t b1 = wasm_f32x4_splat(beta1), b2 = wasm_f32x4_splat(beta2);
  const v128_t a1 = wasm_f32x4_splat(one_minus_beta1), a2 = wasm_f32x4_splat(one_minus_beta2);
  const v128_t lr = wasm_f32x4_splat(step_size), c2v = wasm_f32x4_splat(c2), e = wasm_f32x4_splat(eps);
  for (; i + 4 <= n; i += 4) {
    const v128_t gv = wasm_v128_load(g + i);
    const v128_t mv = wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(m + i), b1), wasm_f32x4_mul(gv, a1));
    const v128_t vv = wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(v + i), b2), wasm_f32x4_mul(wasm_f32x4_mul(gv, gv), a2));
    const v128_t denom = wasm_f32x4_add(wasm_f32x4_sqrt(wasm_f32x4_div(vv, c2v)), e);
    wasm_v128_store(m_out + i, mv);
    wasm_v128_store(v_out + i, vv);
    wasm_v128_store(p_out + i, wasm_f32x4_sub(wasm_v128_load(p + i), wasm_f32x4_div(wasm_f32x4_mul(mv, lr), denom)));
  }
  for (; i < n; i++) {
    const float gv = g[i];
    const float mv = m[i] * beta1 + gv * one_minus_beta1;
    const float vv = v[i] * beta2 + (gv * gv) * one_minus_beta2;
    m_out[i] = mv;
    v_out[i] = vv;
    p_out[i] = p[i] - (mv * step_size) / (__builtin_sqrtf(vv / c2) + eps);
  }
}

/* ---------------------------------------------------------------------------------------------
 * Conv2D filter gradient, stride 1, dilation 1, NHWC, direct (no im2col):
 *   dW[a,b,i,o] = Σ_{n,y,x} x[n, y+a−top, x+b−left, i] · dy[n,y,x,o]   (x outside the image = 0)
 * For one (a, b) and one output row (n, y), the valid x form one run: a GEMM update
 * C[Ci×Co] += Aᵀ·B with A = a run of x pixels (rows of Ci), B = the same run of dy (rows of Co).
 * Rows of dy are taken in chunks of CHUNK so a chunk's x and dy stay in cache while every (a, b)
 * and every register tile of C passes over it. C tiles: 4 input channels × 8 output channels
 * (8 vector accumulators) when the channel block's Co % 8 == 0; else 4 input channels per vector
 * when Ci % 4 == 0; else scalar loops. A call computes one block dw[:, :, i0:i1, o0:o1] (so threads
 * can split the channels) and overwrites only that block.
 * ------------------------------------------------------------------------------------------- */
#define CHUNK 8

/* C[4×8] += Σ_k A[k, 0..3]ᵀ B[k, 0..7] over `len` pixels. A stride sa, B stride sb, C row stride co. */
static inline void tile_4x8(const float* A, u32 sa, const float* B, u32 sb, u32 len, float* C, u32 co) {
  v128_t c00 = wasm_v128_load(C), c01 = wasm_v128_load(C + 4);
  v128_t c10 = wasm_v128_load(C + co), c11 = wasm_v128_load(C + co + 4);
  v128_t c20 = wasm_v128_load(C + 2 * co), c21 = wasm_v128_load(C + 2 * co + 4);
  v128_t c30 = wasm_v128_load(C + 3 * co), c31 = wasm_v128_load(C + 3 * co + 4);
  for (u32 k = 0; k < len; k++) {
    const v128_t b0 = wasm_v128_load(B), b1 = wasm_v128_load(B + 4);
    const v128_t a0 = wasm_v128_load32_splat(A), a1 = wasm_v128_load32_splat(A + 1);
    const v128_t a2 = wasm_v128_load32_splat(A + 2), a3 = wasm_v128_load32_splat(A + 3);
    c00 = wasm_f32x4_add(c00, wasm_f32x4_mul(a0, b0)); c01 = wasm_f32x4_add(c01, wasm_f32x4_mul(a0, b1));
    c10 = wasm_f32x4_add(c10, wasm_f32x4_mul(a1, b0)); c11 = wasm_f32x4_add(c11, wasm_f32x4_mul(a1, b1));
    c20 = wasm_f32x4_add(c20, wasm_f32x4_mul(a2, b0)); c21 = wasm_f32x4_add(c21, wasm_f32x4_mul(a2, b1));
    c30 = wasm_f32x4_add(c30, wasm_f32x4_mul(a3, b0)); c31 = wasm_f32x4_add(c31, wasm_f32x4_mul(a3, b1));
    A += sa;
    B += sb;
  }
  wasm_v128_store(C, c00); wasm_v128_store(C + 4, c01);
  wasm_v128_store(C + co, c10); wasm_v128_store(C + co + 4, c11);
  wasm_v128_store(C + 2 * co, c20); wasm_v128_store(C + 2 * co + 4, c21);
  wasm_v128_store(C + 3 * co, c30); wasm_v128_store(C + 3 * co + 4, c31);
}

/* C[1×8] += Σ_k A[k, 0] B[k, 0..7]. */
static inline void tile_1x8(const float* A, u32 sa, const float* B, u32 sb, u32 len, float* C) {
  v128_t c0 = wasm_v128_load(C), c1 = wasm_v128_load(C + 4);
  for (u32 k = 0; k < len; k++) {
    const v128_t a = wasm_v128_load32_splat(A);
    c0 = wasm_f32x4_add(c0, wasm_f32x4_mul(a, wasm_v128_load(B)));
    c1 = wasm_f32x4_add(c1, wasm_f32x4_mul(a, wasm_v128_load(B + 4)));
    A += sa;
    B += sb;
  }
  wasm_v128_store(C, c0);
  wasm_v128_store(C + 4, c1);
}

/* Few output channels: C[i..i+3, o] += Σ_k A[k, i..i+3] B[k, o] for o < no (vectors over i). */
static inline void tile_4xN(const float* A, u32 sa, const float* B, u32 sb, u32 len, float* C, u32 sc, u32 no) {
  for (u32 o = 0; o < no; o++) {
    v128_t acc = wasm_f32x4_make(C[o], C[sc + o], C[2 * sc + o], C[3 * sc + o]);
    const float* a = A;
    const float* b = B + o;
    for (u32 k = 0; k < len; k++) {
      acc = wasm_f32x4_add(acc, wasm_f32x4_mul(wasm_v128_load(a), wasm_v128_load32_splat(b)));
      a += sa;
      b += sb;
    }
    C[o] = wasm_f32x4_extract_lane(acc, 0);
    C[sc + o] = wasm_f32x4_extract_lane(acc, 1);
    C[2 * sc + o] = wasm_f32x4_extract_lane(acc, 2);
    C[3 * sc + o] = wasm_f32x4_extract_lane(acc, 3);
  }
}

static inline void tile_scalar(const float* A, u32 sa, const float* B, u32 sb, u32 len, float* C, u32 ni, u32 no, u32 sc) {
  for (u32 i = 0; i < ni; i++) {
    for (u32 o = 0; o < no; o++) {
      float acc = C[i * sc + o];
      for (u32 k = 0; k < len; k++) acc += A[k * sa + i] * B[k * sb + o];
      C[i * sc + o] = acc;
    }
  }
}

/* One GEMM update C[ni×no] += Aᵀ B over `len` pixels, tiled; A rows have stride sa, B rows stride sb,
   C rows stride sc. */
static void gemm_tn(const float* A, u32 sa, const float* B, u32 sb, u32 len, float* C, u32 sc, u32 ni, u32 no) {
  if ((no & 7) == 0) {
    u32 i = 0;
    for (; i + 4 <= ni; i += 4)
      for (u32 o = 0; o < no; o += 8) tile_4x8(A + i, sa, B + o, sb, len, C + i * sc + o, sc);
    for (; i < ni; i++)
      for (u32 o = 0; o < no; o += 8) tile_1x8(A + i, sa, B + o, sb, len, C + i * sc + o);
  } else if ((ni & 3) == 0) {
    for (u32 i = 0; i < ni; i += 4) tile_4xN(A + i, sa, B, sb, len, C + i * sc, sc, no);
  } else {
    tile_scalar(A, sa, B, sb, len, C, ni, no, sc);
  }
}

/* Computes dw[:, :, i0:i1, o0:o1] (the rest of dw untouched), so threads can split the channels. */
EXPORT(conv2d_filter_grad)
void conv2d_filter_grad(const float* x, const float* dy, float* dw, u32 N, u32 H, u32 W, u32 Ci, u32 Ho, u32 Wo, u32 Co,
                        u32 kh, u32 kw, u32 top, u32 left, u32 i0, u32 i1, u32 o0, u32 o1) {
  const unsigned long taps = (unsigned long)kh * kw;
  const u32 ni = i1 - i0, no = o1 - o0;
  for (unsigned long t = 0; t < taps; t++)
    for (u32 i = i0; i < i1; i++) __builtin_memset(dw + (t * Ci + i) * Co + o0, 0, no * sizeof(float));
  const unsigned long rows = (unsigned long)N * Ho;
  for (unsigned long r0 = 0; r0 < rows; r0 += CHUNK) {
    const unsigned long r1 = r0 + CHUNK < rows ? r0 + CHUNK : rows;
    for (u32 a = 0; a < kh; a++) {
      for (u32 b = 0; b < kw; b++) {
        float* C = dw + ((unsigned long)a * kw + b) * Ci * Co + (unsigned long)i0 * Co + o0;
        /* output columns whose input column x + b − left lies inside the image */
        const int xs = (int)left - (int)b > 0 ? (int)left - (int)b : 0;
        const int xe_raw = (int)W + (int)left - (int)b;
        const int xe = xe_raw < (int)Wo ? xe_raw : (int)Wo;
        if (xe <= xs) continue;
        for (unsigned long r = r0; r < r1; r++) {
          const u32 n = (u32)(r / Ho);
          const u32 y = (u32)(r % Ho);
          const int iy = (int)y + (int)a - (int)top;
          if (iy < 0 || iy >= (int)H) continue;
          const float* A = x + (((unsigned long)n * H + (u32)iy) * W + (u32)(xs + (int)b - (int)left)) * Ci + i0;
          const float* B = dy + (((unsigned long)n * Ho + y) * Wo + (u32)xs) * Co + o0;
          gemm_tn(A, Ci, B, Co, (u32)(xe - xs), C, Co, ni, no);
        }
      }
    }
  }
}

/* ---------------------------------------------------------------------------------------------
 * k-NN candidate filter (../detectors/knn-search.ts). For query i and bank row j of one block:
 *   s = scores[i, j] + norms[j]   (= ||b − mean||² − 2 q·b in float32)
 * j is kept when s − row_err[j] ≤ thresholds[i]. The caller rounds row_err and thresholds up to
 * float32, so the kept set contains every row that its own float64 test would keep.
 * Kept column indices of row i go to out[i·width …], their number to counts[i].
 * ------------------------------------------------------------------------------------------- */
EXPORT(knn_filter)
void knn_filter(const float* scores, const float* norms, const float* row_err, const float* thresholds, u32 count, u32 width, int* out, int* counts) {
  for (u32 i = 0; i < count; i++) {
    const float* row = scores + (unsigned long)i * width;
    int* kept = out + (unsigned long)i * width;
    const float t = thresholds[i];
    const v128_t tv = wasm_f32x4_splat(t);
    u32 n = 0;
    u32 j = 0;
    for (; j + 4 <= width; j += 4) {
      const v128_t s = wasm_f32x4_sub(wasm_f32x4_add(wasm_v128_load(row + j), wasm_v128_load(norms + j)), wasm_v128_load(row_err + j));
      const u32 mask = wasm_i32x4_bitmask(wasm_f32x4_le(s, tv));
      if (mask == 0) continue;
      if (mask & 1) kept[n++] = (int)j;
      if (mask & 2) kept[n++] = (int)j + 1;
      if (mask & 4) kept[n++] = (int)j + 2;
      if (mask & 8) kept[n++] = (int)j + 3;
    }
    for (; j < width; j++) {
      const float s = (row[j] + norms[j]) - row_err[j];
      if (s <= t) kept[n++] = (int)j;
    }
    counts[i] = (int)n;
  }
}

/* Per query i: the columns of the k smallest scores[i, j] + norms[j] + row_err[j] over the block
   (float32 ranking) → out[i·k …] (fewer when width < k: the rest −1). The caller turns them into a
   rigorous bound by recomputing those rows' bounds in float64. work: k floats of scratch. */
EXPORT(knn_smallest)
void knn_smallest(const float* scores, const float* norms, const float* row_err, u32 count, u32 width, u32 k, int* out, float* work) {
  for (u32 i = 0; i < count; i++) {
    const float* row = scores + (unsigned long)i * width;
    int* idx = out + (unsigned long)i * k;
    for (u32 l = 0; l < k; l++) idx[l] = -1;
    u32 filled = 0;
    float kth = __builtin_inff();
    for (u32 j = 0; j < width; j++) {
      if ((j & 3) == 0 && j + 4 <= width) {
        const v128_t v4 = wasm_f32x4_add(wasm_f32x4_add(wasm_v128_load(row + j), wasm_v128_load(norms + j)), wasm_v128_load(row_err + j));
        if (wasm_i32x4_bitmask(wasm_f32x4_lt(v4, wasm_f32x4_splat(kth))) == 0) { j += 3; continue; }
      }
      const float v = (row[j] + norms[j]) + row_err[j];
      if (!(v < kth) && filled == k) continue;
      u32 pos = filled < k ? filled++ : k - 1;
      while (pos > 0 && work[pos - 1] > v) { work[pos] = work[pos - 1]; idx[pos] = idx[pos - 1]; pos--; }
      work[pos] = v;
      idx[pos] = (int)j;
      if (filled == k) kth = work[k - 1];
    }
  }
}

/* ---------------------------------------------------------------------------------------------
 * int16 first pass of the k-NN search. quantize_rows: per row, scale = max|x|/limit and
 * out = round(x/scale) (|out| ≤ limit; the d..dp tail zero). dot_i16: out[i, j] = −2·qs[i]·bs[j]·
 * Σ_d q[i, d]·b[j, d] with exact int32 sums (the caller picks limit so dp·limit² < 2³¹).
 * ------------------------------------------------------------------------------------------- */
EXPORT(quantize_rows)
void quantize_rows(const float* x, u32 rows, u32 d, u32 dp, float limit, short* out, float* scales) {
  for (u32 r = 0; r < rows; r++) {
    const float* row = x + (unsigned long)r * d;
    short* q = out + (unsigned long)r * dp;
    float m = 0.f;
    for (u32 c = 0; c < d; c++) { const float a = __builtin_fabsf(row[c]); if (a > m) m = a; }
    const float scale = m > 0.f ? m / limit : 1.f;
    const float inv = 1.f / scale;
    for (u32 c = 0; c < d; c++) {
      float v = __builtin_rintf(row[c] * inv);
      if (v > limit) v = limit;
      if (v < -limit) v = -limit;
      q[c] = (short)v;
    }
    for (u32 c = d; c < dp; c++) q[c] = 0;
    scales[r] = scale;
  }
}

static inline int hsum_i32x4(v128_t v) {
  return wasm_i32x4_extract_lane(v, 0) + wasm_i32x4_extract_lane(v, 1) + wasm_i32x4_extract_lane(v, 2) + wasm_i32x4_extract_lane(v, 3);
}

/* [Σ a, Σ b, Σ c, Σ d] of four int32 vectors. */
static inline v128_t hsum4(v128_t a, v128_t b, v128_t c, v128_t d) {
  const v128_t u0 = wasm_i32x4_add(wasm_i32x4_shuffle(a, b, 0, 4, 1, 5), wasm_i32x4_shuffle(a, b, 2, 6, 3, 7));
  const v128_t u1 = wasm_i32x4_add(wasm_i32x4_shuffle(c, d, 0, 4, 1, 5), wasm_i32x4_shuffle(c, d, 2, 6, 3, 7));
  return wasm_i32x4_add(wasm_i32x4_shuffle(u0, u1, 0, 1, 4, 5), wasm_i32x4_shuffle(u0, u1, 2, 3, 6, 7));
}

EXPORT(dot_i16)
void dot_i16(const short* q, const short* b, u32 count, u32 width, u32 dp, const float* qs, const float* bs, float* out) {
  u32 i = 0;
  for (; i + 2 <= count; i += 2) {
    const short* q0 = q + (unsigned long)i * dp;
    const short* q1 = q0 + dp;
    float* o0 = out + (unsigned long)i * width;
    float* o1 = o0 + width;
    const float s0 = -2.f * qs[i], s1 = -2.f * qs[i + 1];
    u32 j = 0;
    for (; j + 4 <= width; j += 4) {
      const short* b0 = b + (unsigned long)j * dp;
      const short* b1 = b0 + dp;
      const short* b2 = b1 + dp;
      const short* b3 = b2 + dp;
      v128_t a00 = wasm_i32x4_splat(0), a01 = a00, a02 = a00, a03 = a00, a10 = a00, a11 = a00, a12 = a00, a13 = a00;
      for (u32 c = 0; c < dp; c += 8) {
        const v128_t x0 = wasm_v128_load(q0 + c), x1 = wasm_v128_load(q1 + c);
        const v128_t y0 = wasm_v128_load(b0 + c), y1 = wasm_v128_load(b1 + c), y2 = wasm_v128_load(b2 + c), y3 = wasm_v128_load(b3 + c);
        a00 = wasm_i32x4_add(a00, wasm_i32x4_dot_i16x8(x0, y0)); a01 = wasm_i32x4_add(a01, wasm_i32x4_dot_i16x8(x0, y1));
        a02 = wasm_i32x4_add(a02, wasm_i32x4_dot_i16x8(x0, y2)); a03 = wasm_i32x4_add(a03, wasm_i32x4_dot_i16x8(x0, y3));
        a10 = wasm_i32x4_add(a10, wasm_i32x4_dot_i16x8(x1, y0)); a11 = wasm_i32x4_add(a11, wasm_i32x4_dot_i16x8(x1, y1));
        a12 = wasm_i32x4_add(a12, wasm_i32x4_dot_i16x8(x1, y2)); a13 = wasm_i32x4_add(a13, wasm_i32x4_dot_i16x8(x1, y3));
      }
      const v128_t scale = wasm_v128_load(bs + j);
      wasm_v128_store(o0 + j, wasm_f32x4_mul(wasm_f32x4_mul(wasm_f32x4_splat(s0), scale), wasm_f32x4_convert_i32x4(hsum4(a00, a01, a02, a03))));
      wasm_v128_store(o1 + j, wasm_f32x4_mul(wasm_f32x4_mul(wasm_f32x4_splat(s1), scale), wasm_f32x4_convert_i32x4(hsum4(a10, a11, a12, a13))));
    }
    for (; j < width; j++) {
      const short* bj = b + (unsigned long)j * dp;
      v128_t a0 = wasm_i32x4_splat(0), a1 = a0;
      for (u32 c = 0; c < dp; c += 8) {
        const v128_t y = wasm_v128_load(bj + c);
        a0 = wasm_i32x4_add(a0, wasm_i32x4_dot_i16x8(wasm_v128_load(q0 + c), y));
        a1 = wasm_i32x4_add(a1, wasm_i32x4_dot_i16x8(wasm_v128_load(q1 + c), y));
      }
      o0[j] = (s0 * bs[j]) * (float)hsum_i32x4(a0);
      o1[j] = (s1 * bs[j]) * (float)hsum_i32x4(a1);
    }
  }
  for (; i < count; i++) {
    const short* qi = q + (unsigned long)i * dp;
    float* oi = out + (unsigned long)i * width;
    const float si = -2.f * qs[i];
    for (u32 j = 0; j < width; j++) {
      const short* bj = b + (unsigned long)j * dp;
      v128_t a = wasm_i32x4_splat(0);
      for (u32 c = 0; c < dp; c += 8) a = wasm_i32x4_add(a, wasm_i32x4_dot_i16x8(wasm_v128_load(qi + c), wasm_v128_load(bj + c)));
      oi[j] = (si * bs[j]) * (float)hsum_i32x4(a);
    }
  }
}
