// Prometheus's own checks, for the metrics tests (scripts/bootstrap.sh builds it when Go is installed):
//
//	promcheck lint          lints the exposition on stdin with client_golang's promlint (what `promtool check metrics` runs)
//	promcheck rules FILE…   parses rule files as Prometheus loads them (YAML, PromQL, templates)
//	promcheck exprs         parses one PromQL expression per line of stdin
//
// One problem per line on stdout; exit 1 when there is any.
package main

import (
	"bufio"
	"fmt"
	"os"

	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql/parser"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: promcheck lint | rules FILE… | exprs")
		os.Exit(2)
	}
	problems := 0
	report := func(text string) {
		fmt.Println(text)
		problems++
	}
	promql := parser.NewParser(parser.Options{})
	switch os.Args[1] {
	case "lint":
		found, err := promlint.New(os.Stdin).Lint()
		if err != nil {
			fmt.Fprintln(os.Stderr, "promlint:", err)
			os.Exit(2)
		}
		for _, p := range found {
			report(fmt.Sprintf("%s: %s", p.Metric, p.Text))
		}
	case "rules":
		for _, path := range os.Args[2:] {
			_, errs := rulefmt.ParseFile(path, false, model.UTF8Validation, promql, nil)
			for _, err := range errs {
				report(err.Error())
			}
		}
	case "exprs":
		lines := bufio.NewScanner(os.Stdin)
		lines.Buffer(make([]byte, 1<<20), 1<<20)
		for lines.Scan() {
			if _, err := promql.ParseExpr(lines.Text()); err != nil {
				report(fmt.Sprintf("%s: %v", lines.Text(), err))
			}
		}
	default:
		fmt.Fprintln(os.Stderr, "usage: promcheck lint | rules FILE… | exprs")
		os.Exit(2)
	}
	if problems > 0 {
		os.Exit(1)
	}
}
