package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"

	"familybot/models"
)

const staffUsage = `usage: familybot staff COMMAND [ARGS]
  add USERID [--role staff|admin|reviewer|manager] [--name 姓名] [--team life|health|activity|policy|other]
                  add a WeCom member to the admin (or change their role, name, team);
                  the first admin is bootstrapped this way
  list            everyone who may log in to the admin
  remove USERID   take someone off the list (their sessions end at once)`

// cmdStaff manages who may log in to the admin. Changes are audit-logged as "cli".
func cmdStaff(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintln(env.Stderr, staffUsage)
		if len(args) == 0 {
			return errors.New("staff: 缺少子命令 (missing sub-command: add, list, remove)")
		}
		return flag.ErrHelp
	}
	sub, rest := args[0], args[1:]
	fs := flag.NewFlagSet("staff "+sub, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	role := fs.String("role", "", "staff, admin, reviewer or manager (default: staff, or unchanged for someone already listed)")
	name := fs.String("name", "", "display name")
	team := fs.String("team", "", "wish team: life, health, activity, policy, other (empty: assigned wishes only)")
	pos, err := parseInterleaved(fs, rest)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(env.Stderr, staffUsage)
		}
		return err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	want := map[string]int{"add": 1, "remove": 1, "list": 0}
	n, ok := want[sub]
	if !ok {
		return fmt.Errorf("staff: 未知子命令 %q (unknown sub-command; see familybot staff -h)", sub)
	}
	if len(pos) != n {
		return fmt.Errorf("staff %s: 需要 %d 个参数，收到 %d 个 (expected %d argument(s))", sub, n, len(pos), n)
	}
	if sub == "add" {
		// Check before opening the database, so a typo fails fast.
		r := *role
		if r == "" {
			r = models.RoleStaff
		}
		if err := (models.Staff{UserID: pos[0], Name: *name, Role: r, Team: *team}).Validate(); err != nil {
			return fmt.Errorf("staff add: %v", err)
		}
	}
	app, err := env.App(ctx)
	if err != nil {
		return err
	}
	st := app.Store
	audit := func(action, object, detail string) {
		_ = st.AddAudit(ctx, models.AuditLog{Actor: "cli", Action: action, Object: object, Detail: detail})
	}
	switch sub {
	case "add":
		s := models.Staff{UserID: pos[0], Name: *name, Role: *role, Team: *team}
		old, err := st.GetStaff(ctx, s.UserID)
		switch {
		case err == nil:
			// What is not given stays as it was.
			if !set["name"] {
				s.Name = old.Name
			}
			if !set["role"] {
				s.Role = old.Role
			}
			if !set["team"] {
				s.Team = old.Team
			}
			// UpdateStaffRole refuses to demote the last admin.
			if err := st.UpdateStaffRole(ctx, s.UserID, s.Role, s.Team); err != nil {
				return fmt.Errorf("staff add: %v", err)
			}
		case models.IsCode(err, models.ENOTFOUND):
			if s.Role == "" {
				s.Role = models.RoleStaff
			}
		default:
			return err
		}
		if err := st.SaveStaff(ctx, s); err != nil {
			return fmt.Errorf("staff add: %v", err)
		}
		audit("staff.save", "staff:"+s.UserID, "role="+s.Role+" team="+s.Team)
		fmt.Fprintf(env.Stdout, "已保存 %s（%s）(saved)\n", s.UserID, roleName(s.Role))
	case "remove":
		if err := st.DeleteStaff(ctx, pos[0]); err != nil {
			return fmt.Errorf("staff remove: %v", err)
		}
		audit("staff.remove", "staff:"+pos[0], "")
		fmt.Fprintf(env.Stdout, "已移除 %s (removed)\n", pos[0])
	case "list":
		list, err := st.ListStaff(ctx)
		if err != nil {
			return err
		}
		if len(list) == 0 {
			fmt.Fprintln(env.Stdout, "名单为空：先运行 familybot staff add USERID --role admin (no staff yet)")
			return nil
		}
		tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "USERID\t姓名\t角色\t小组")
		for _, s := range list {
			team := "—"
			if s.Team != "" {
				team = models.WishCategoryLabel(s.Team)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", s.UserID, s.Name, roleName(s.Role), team)
		}
		return tw.Flush()
	}
	return nil
}

func roleName(role string) string {
	if n, ok := models.RoleNames[role]; ok {
		return n
	}
	return role
}

// parseInterleaved parses flags and positional arguments in any order
// ("add amy --role admin" as well as "add --role admin amy").
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, fmt.Errorf("%s: 参数错误 (%v)", fs.Name(), err)
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}
