package present

import (
	"fmt"
	"io"
	"net"
	"strings"

	"github.com/sentinel-lab/sentinel-lab/internal/config"
	"github.com/sentinel-lab/sentinel-lab/internal/lab"
)

// WriteConnect prints how an application on this host reaches the lab:
// the sentinels, what they hand out and whether this host can use it, and
// ready snippets for redis-cli, go-redis, redis-py and Lettuce/Jedis.
func WriteConnect(w io.Writer, c lab.Connection) {
	fmt.Fprintf(w, "Sentinels (monitoring %q): %s\n", c.MasterName, strings.Join(c.Sentinels, " "))
	if c.PasswordFile != "" {
		fmt.Fprintf(w, "Password: in %s (the same for the sentinels and the nodes).\n", c.PasswordFile)
	} else {
		fmt.Fprintln(w, "Password: none (auth is off).")
	}
	writeAddressing(w, c)
	fmt.Fprintln(w)
	writeSnippets(w, c)
}

func writeAddressing(w io.Writer, c lab.Connection) {
	var hands []string
	for _, a := range c.Announced {
		hands = append(hands, a.Service+" "+a.Addr)
	}
	fmt.Fprintf(w, "Addressing %s: the sentinels hand out %s.\n", c.Addressing, strings.Join(hands, ", "))
	switch c.Addressing {
	case config.AddressingIP:
		fmt.Fprintln(w, "Those are in-network addresses: an application on this host reaches them on Linux only, not on Docker Desktop or")
		fmt.Fprintln(w, "from another machine. For that, recreate the lab with --addressing host.")
	case config.AddressingHostnames:
		fmt.Fprintln(w, "Those names resolve on the lab network only (each node's hosts file pins them, so they resolve even while a")
		fmt.Fprintln(w, "container is stopped); an application on this host cannot use them. For that, recreate the lab with --addressing host.")
	case config.AddressingHost:
		fmt.Fprintln(w, "Those names resolve, inside the lab, to the nodes, and on this host to the published ports once this line is in")
		fmt.Fprintln(w, "the hosts file (/etc/hosts; on Windows C:\\Windows\\System32\\drivers\\etc\\hosts), the same on Linux and Docker Desktop:")
		fmt.Fprintf(w, "\n    %s\n\n", c.HostsLine)
		fmt.Fprintln(w, "(for example: sentinel-lab connect -o hosts | sudo tee -a /etc/hosts)")
	}
}

func writeSnippets(w io.Writer, c lab.Connection) {
	pw, pwPy := "", "None"
	if c.PasswordFile != "" {
		pw = fmt.Sprintf(`REDISCLI_AUTH="$(cat %s)" `, shellWord(c.PasswordFile))
		pwPy = fmt.Sprintf("open(%q).read().strip()", c.PasswordFile)
	}
	host, port, _ := net.SplitHostPort(c.Sentinels[0])
	fmt.Fprintln(w, "redis-cli (ask a sentinel where the master is):")
	fmt.Fprintf(w, "    %sredis-cli -h %s -p %s SENTINEL get-master-addr-by-name %s\n\n", pw, host, port, c.MasterName)

	var goAddrs, pyAddrs []string
	for _, s := range c.Sentinels {
		h, p, _ := net.SplitHostPort(s)
		goAddrs = append(goAddrs, fmt.Sprintf("%q", s))
		pyAddrs = append(pyAddrs, fmt.Sprintf("(%q, %s)", h, p))
	}
	fmt.Fprintln(w, "go-redis:")
	if c.PasswordFile != "" {
		fmt.Fprintf(w, "    password := \"...\" // the contents of %s\n", c.PasswordFile)
	}
	fmt.Fprintf(w, "    rdb := redis.NewFailoverClient(&redis.FailoverOptions{\n")
	fmt.Fprintf(w, "        MasterName:       %q,\n", c.MasterName)
	fmt.Fprintf(w, "        SentinelAddrs:    []string{%s},\n", strings.Join(goAddrs, ", "))
	if c.PasswordFile != "" {
		fmt.Fprintf(w, "        Password:         password,\n")
		fmt.Fprintf(w, "        SentinelPassword: password,\n")
	}
	fmt.Fprintf(w, "    })\n\n")

	fmt.Fprintln(w, "redis-py:")
	fmt.Fprintf(w, "    from redis.sentinel import Sentinel\n")
	fmt.Fprintf(w, "    password = %s\n", pwPy)
	fmt.Fprintf(w, "    sentinel = Sentinel([%s], sentinel_kwargs={\"password\": password}, password=password)\n", strings.Join(pyAddrs, ", "))
	fmt.Fprintf(w, "    master = sentinel.master_for(%q)\n\n", c.MasterName)

	auth := ""
	if c.PasswordFile != "" {
		auth = "<password>@"
	}
	fmt.Fprintln(w, "Lettuce / Jedis (a sentinel URI):")
	fmt.Fprintf(w, "    redis-sentinel://%s%s#%s\n", auth, strings.Join(c.Sentinels, ","), c.MasterName)
	if c.PasswordFile != "" {
		fmt.Fprintf(w, "    (<password>: the contents of %s)\n", c.PasswordFile)
	}
}

// shellWord quotes a path for a shell command line when it needs it.
func shellWord(s string) string {
	if strings.ContainsAny(s, " '\"$\\`") {
		return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
	}
	return s
}
