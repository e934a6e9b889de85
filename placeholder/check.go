package placeholder

import (
	"fmt"
	"text/template/parse"
)

// checker walks a parse tree and accepts only the nodes the package doc
// lists; anything it does not know is refused.
type checker struct {
	tree   *parse.Tree
	fields map[string]bool
	inWith int // depth of {{with}} bodies, where {{.}} is allowed
}

func (c *checker) refuse(n parse.Node, format string, args ...any) error {
	loc, _ := c.tree.ErrorContext(n)
	return fmt.Errorf("%s: %s", loc, fmt.Sprintf(format, args...))
}

func (c *checker) list(l *parse.ListNode) error {
	if l == nil {
		return nil
	}
	for _, n := range l.Nodes {
		if err := c.node(n); err != nil {
			return err
		}
	}
	return nil
}

func (c *checker) node(n parse.Node) error {
	switch n := n.(type) {
	case *parse.TextNode, *parse.CommentNode:
		return nil
	case *parse.ActionNode:
		return c.pipe(n.Pipe)
	case *parse.IfNode:
		if err := c.pipe(n.Pipe); err != nil {
			return err
		}
		if err := c.list(n.List); err != nil {
			return err
		}
		return c.list(n.ElseList)
	case *parse.WithNode:
		if err := c.pipe(n.Pipe); err != nil {
			return err
		}
		c.inWith++
		err := c.list(n.List)
		c.inWith--
		if err != nil {
			return err
		}
		return c.list(n.ElseList)
	case *parse.RangeNode:
		return c.refuse(n, "range is not allowed: templates do not loop")
	case *parse.TemplateNode:
		return c.refuse(n, "template and block are not allowed")
	default:
		return c.refuse(n, "%s is not allowed", n)
	}
}

// pipe accepts FIELD, helper calls, and FIELD | helper …, without variables.
func (c *checker) pipe(p *parse.PipeNode) error {
	if p == nil || len(p.Cmds) == 0 {
		return nil
	}
	if len(p.Decl) > 0 {
		return c.refuse(p, "variables are not allowed")
	}
	for i, cmd := range p.Cmds {
		if err := c.command(cmd, i > 0); err != nil {
			return err
		}
	}
	return nil
}

// command checks one command; piped means the previous command's value is
// passed in as its last argument.
func (c *checker) command(cmd *parse.CommandNode, piped bool) error {
	head := cmd.Args[0]
	id, ok := head.(*parse.IdentifierNode)
	if !ok {
		if piped {
			return c.refuse(cmd, "only date and truncate can follow |")
		}
		if len(cmd.Args) > 1 {
			return c.refuse(cmd, "%s takes no arguments", head)
		}
		return c.value(head)
	}
	args := cmd.Args[1:]
	switch id.Ident {
	case "date":
		return c.helperArgs(cmd, id.Ident, args, 0, piped)
	case "truncate":
		if len(args) == 0 {
			return c.refuse(cmd, "truncate needs a length: truncate 200 .Summary")
		}
		if err := c.truncateLength(args[0]); err != nil {
			return err
		}
		return c.helperArgs(cmd, id.Ident, args[1:], 1, piped)
	default:
		return c.refuse(id, "%s is not allowed; use fields and the helpers date and truncate", id.Ident)
	}
}

// helperArgs checks a helper's value argument: one field, or none when
// the value comes from a pipeline.
func (c *checker) helperArgs(cmd *parse.CommandNode, name string, values []parse.Node, fixed int, piped bool) error {
	want := 1
	if piped {
		want = 0
	}
	if len(values) != want {
		return c.refuse(cmd, "%s takes %d argument(s) here, not %d", name, fixed+want, fixed+len(values))
	}
	for _, v := range values {
		if err := c.value(v); err != nil {
			return err
		}
	}
	return nil
}

func (c *checker) truncateLength(n parse.Node) error {
	num, ok := n.(*parse.NumberNode)
	if !ok || !num.IsInt || num.Int64 < 1 || num.Int64 > MaxTruncate {
		return c.refuse(n, "truncate's length must be a number from 1 to %d", MaxTruncate)
	}
	return nil
}

// value accepts a declared field or, inside with, the dot.
func (c *checker) value(n parse.Node) error {
	switch n := n.(type) {
	case *parse.FieldNode:
		if len(n.Ident) != 1 {
			return c.refuse(n, "%s is not allowed: use a field such as .%s, one level deep", n, n.Ident[0])
		}
		if !c.fields[n.Ident[0]] {
			return c.refuse(n, "unknown field %s", n)
		}
		return nil
	case *parse.DotNode:
		if c.inWith == 0 {
			return c.refuse(n, "{{.}} is allowed only inside {{with}}; use a field such as .Title")
		}
		return nil
	case *parse.VariableNode:
		return c.refuse(n, "variables are not allowed")
	case *parse.StringNode, *parse.NumberNode, *parse.BoolNode, *parse.NilNode:
		return c.refuse(n, "literal values are not allowed here")
	default:
		return c.refuse(n, "%s is not allowed", n)
	}
}
