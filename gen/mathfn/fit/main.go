// Command fit derives the tanh polynomial coefficients used by ../main.go:
// it interpolates g(z) = (tanh(√z)/√z - 1)/z at the Chebyshev nodes of
// [0, Z] in 256-bit arithmetic (a near-minimax fit), converts the result to
// the monomial basis, rounds each coefficient to float32 or float64, and
// reports the worst relative error of a + a·z·g(z) against tanh(a) on a fine
// grid. Run: go run ./mathfn/fit (from gen/).
package main

import (
	"fmt"
	"math"
	"math/big"
)

const prec = 256

func bf(v float64) *big.Float { return new(big.Float).SetPrec(prec).SetFloat64(v) }

// bexp is e^y by its Taylor series (|y| small enough here: y <= 2).
func bexp(y *big.Float) *big.Float {
	sum, term := bf(1), bf(1)
	eps := new(big.Float).SetMantExp(bf(1), -prec)
	for k := 1; k < 400; k++ {
		term.Mul(term, y)
		term.Quo(term, bf(float64(k)))
		sum.Add(sum, term)
		if new(big.Float).Abs(term).Cmp(eps) < 0 {
			break
		}
	}
	return sum
}

func btanh(a *big.Float) *big.Float {
	e := bexp(new(big.Float).Mul(a, bf(2)))
	num := new(big.Float).Sub(e, bf(1))
	den := new(big.Float).Add(e, bf(1))
	return num.Quo(num, den)
}

func bsqrt(z *big.Float) *big.Float { return new(big.Float).SetPrec(prec).Sqrt(z) }

// g is (tanh(a)/a - 1)/a² with a = √z.
func g(z *big.Float) *big.Float {
	a := bsqrt(z)
	t := btanh(a)
	t.Quo(t, a)
	t.Sub(t, bf(1))
	return t.Quo(t, z)
}

// fit returns the monomial coefficients c[0..n] of the degree-n polynomial
// interpolating f at the n+1 Chebyshev nodes of [0, hi].
func fit(f func(*big.Float) *big.Float, hi float64, n int) []*big.Float {
	m := n + 1
	A := make([][]*big.Float, m)
	for i := 0; i < m; i++ {
		t := math.Cos(math.Pi * (float64(i) + 0.5) / float64(m))
		z := bf(hi * (1 + t) / 2)
		row := make([]*big.Float, m+1)
		p := bf(1)
		for j := 0; j < m; j++ {
			row[j] = new(big.Float).Copy(p)
			p.Mul(p, z)
		}
		row[m] = f(z)
		A[i] = row
	}
	// Gaussian elimination with partial pivoting.
	for c := 0; c < m; c++ {
		piv := c
		for r := c + 1; r < m; r++ {
			if new(big.Float).Abs(A[r][c]).Cmp(new(big.Float).Abs(A[piv][c])) > 0 {
				piv = r
			}
		}
		A[c], A[piv] = A[piv], A[c]
		for r := 0; r < m; r++ {
			if r == c {
				continue
			}
			q := new(big.Float).Quo(A[r][c], A[c][c])
			for k := c; k <= m; k++ {
				A[r][k].Sub(A[r][k], new(big.Float).Mul(q, A[c][k]))
			}
		}
	}
	out := make([]*big.Float, m)
	for i := range out {
		out[i] = new(big.Float).Quo(A[i][m], A[i][i])
	}
	return out
}

func main() {
	const hi = 0.625
	for _, c := range []struct {
		name string
		n    int
		f32  bool
	}{{"float32", 4, true}, {"float64", 11, false}} {
		co := fit(g, hi*hi, c.n)
		rounded := make([]*big.Float, len(co))
		fmt.Printf("%s degree %d in z:\n", c.name, c.n)
		for i, v := range co {
			f, _ := v.Float64()
			if c.f32 {
				f = float64(float32(f))
			}
			rounded[i] = bf(f)
			fmt.Printf("\t%.17g,\n", f)
		}
		// Worst relative error of a + a·z·p(z) (exact arithmetic, rounded
		// coefficients) against tanh(a).
		worst := 0.0
		for i := 1; i <= 2000; i++ {
			a := bf(hi * float64(i) / 2000)
			z := new(big.Float).Mul(a, a)
			p := bf(0)
			for j := len(rounded) - 1; j >= 0; j-- {
				p.Mul(p, z)
				p.Add(p, rounded[j])
			}
			approx := new(big.Float).Mul(p, z)
			approx.Mul(approx, a)
			approx.Add(approx, a)
			exact := btanh(a)
			d := new(big.Float).Sub(approx, exact)
			d.Quo(d, exact)
			e, _ := d.Float64()
			worst = math.Max(worst, math.Abs(e))
		}
		ulp := math.Ldexp(1, -52)
		if c.f32 {
			ulp = math.Ldexp(1, -23)
		}
		fmt.Printf("\tmax relative error %.3g = %.3g ulp (of the significand)\n", worst, worst/ulp)
	}
}
