// Command descent shows what the descent library does on this machine.
//
//	descent [info]     the CPU, the instruction-set levels and a short throughput table
//	descent bench      the key kernels and GEMM at every level, against the machine's
//	                   FMA peak and copy bandwidth (-o writes a file for benchstat)
//	descent compare    two benchmark files compared, benchstat style: descent compare OLD NEW
//	descent train      trains an MLP (digits by default, -data DIR for MNIST) and prints a row
//	                   per epoch; -o draws the curves, -save and -resume checkpoint the run
//	descent sweep      the same training at learning rates 0.1, 0.01, 0.001, 0.0001 (-lrs):
//	                   a table of the runs and their curves in one picture
//	descent lesson     the ways gradient descent fails, one experiment and picture each:
//	                   descent lesson NAME [-o DIR] [-seed N] [-quick]; no NAME lists them
//	descent landscape  optimizer paths (GD, SGD, momentum, Nesterov, RMSprop, Adam) over 2-D loss
//	                   surfaces: PNG and SVG contour plots and a table per surface (-o DIR, -surface)
//	descent linreg     linear regression on the digits by batch GD, SGD and mini-batches against
//	                   the exact least-squares fit: a table and loss curves (-o FILE)
//	descent help       this list
//
// Flags follow the subcommand; `descent info -h` lists them.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

// command is one subcommand: it parses its own flags from args and writes
// to stdout; an error of type usageError exits 2, any other error exits 1.
type command struct {
	name, summary string
	run           func(args []string, stdout io.Writer) error
}

type usageError struct{ error }

var commands = []command{
	{"info", "the CPU, its instruction-set levels and a short kernel throughput table (the default)", runInfo},
	{"bench", "benchmark the key kernels and GEMM at each level against the measured FMA peak and copy bandwidth", runBench},
	{"compare", "compare two benchmark files (OLD NEW), benchstat style", runCompare},
	{"train", "train an MLP on the embedded digits or MNIST: loss, accuracy, curves, checkpoints", runTrain},
	{"sweep", "train the same MLP at several learning rates and draw their curves in one picture", runSweep},
	{"lesson", "the five ways gradient descent fails, as experiments with pictures: descent lesson NAME", runLesson},
	{"landscape", "draw optimizer paths over 2-D loss surfaces (contour plots, PNG and SVG) and tabulate them", runLandscape},
	{"linreg", "fit a linear regression on the digits by batch GD, SGD and mini-batches; draw the loss curves", runLinreg},
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is main without the exit, for tests.
func run(args []string, stdout, stderr io.Writer) int {
	name := "info"
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		name, args = args[0], args[1:]
	}
	if name == "help" {
		usage(stdout)
		return 0
	}
	for _, c := range commands {
		if c.name != name {
			continue
		}
		err := c.run(args, stdout)
		var ue usageError
		switch {
		case err == nil:
			return 0
		case errors.Is(err, flag.ErrHelp):
			return 0
		case errors.As(err, &ue):
			fmt.Fprintf(stderr, "descent %s: %v\n", name, err)
			return 2
		default:
			fmt.Fprintf(stderr, "descent %s: %v\n", name, err)
			return 1
		}
	}
	fmt.Fprintf(stderr, "descent: unknown command %q\n\n", name)
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: descent <command> [flags]\n\ncommands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'descent <command> -h' for a command's flags.")
}

// newFlags makes a FlagSet whose parse errors become usage errors.
func newFlags(name string, stdout io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("descent "+name, flag.ContinueOnError)
	fs.SetOutput(stdout)
	return fs
}

func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("unexpected arguments: %v", fs.Args())}
	}
	return nil
}
