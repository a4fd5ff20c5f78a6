// SPDX-License-Identifier: GPL-2.0

//! rfilter: add, delete, list and flush the rules of the rfilter module
//! (`net/netfilter/rfilter`, `Documentation/networking/rfilter.rst`) in the current network
//! namespace, over its generic netlink family.

mod genl;
mod link;
mod rule;

use std::process::ExitCode;

use rule::{attr, cmd, Rule};

const USAGE: &str = "\
Usage: rfilter [-j] [-e] COMMAND
  rfilter add FAMILY HOOK [MATCH]... ACTION   add a rule after HOOK's rules
  rfilter list                                the rules, with handles and counters
  rfilter delete HANDLE                       delete a rule
  rfilter flush                               delete every rule
FAMILY := ip | ip6
HOOK   := prerouting | input | forward | output
MATCH  := iif DEV | oif DEV | saddr ADDR[/LEN] | daddr ADDR[/LEN]
        | proto NAME|NUMBER | sport PORT[-PORT] | dport PORT[-PORT]
ACTION := accept | drop | count      (count: count and go on)
-j     JSON output (list)
-e     echo: print the rule added, with its handle (add)
Example: rfilter add ip forward daddr 198.18.0.0/24 proto udp dport 9 drop";

/// The index of interface `name` (or `name` itself if it is a number) in the namespace this
/// tool runs in.
fn ifindex(name: &str) -> Result<u32, String> {
    if let Ok(i) = name.parse() {
        return Ok(i);
    }
    let links = link::links().map_err(|e| format!("cannot list the interfaces: {e}"))?;
    links
        .into_iter()
        .find_map(|(i, n)| (n == name).then_some(i))
        .ok_or_else(|| format!("no interface named '{name}'"))
}

/// An error of the command line: printed with the usage hint, exit status 2.
struct Usage(String);

fn run(args: &[String]) -> Result<Result<(), genl::Error>, Usage> {
    let mut json = false;
    let mut echo = false;
    let mut rest = args;
    while let Some((first, tail)) = rest.split_first() {
        match first.as_str() {
            "-j" | "--json" => json = true,
            "-e" | "--echo" => echo = true,
            "-h" | "--help" | "help" => {
                println!("{USAGE}");
                return Ok(Ok(()));
            }
            s if s.starts_with('-') => return Err(Usage(format!("unknown option '{s}'"))),
            _ => break,
        }
        rest = tail;
    }
    let Some((command, params)) = rest.split_first() else {
        return Err(Usage("no command".to_string()));
    };
    // Parse everything before talking to the kernel.
    let mut added = None;
    let request = match command.as_str() {
        "add" => {
            let rule = parse_add(params)?;
            let attrs = rule.to_attrs();
            added = echo.then_some(rule);
            Some((cmd::RULE_ADD, attrs))
        }
        "delete" | "del" => {
            let [h] = params else {
                return Err(Usage("delete takes one handle".to_string()));
            };
            let h: u32 = h
                .parse()
                .map_err(|_| Usage(format!("'{h}' is not a handle")))?;
            Some((
                cmd::RULE_DEL,
                vec![(attr::HANDLE, h.to_ne_bytes().to_vec())],
            ))
        }
        "flush" if params.is_empty() => Some((cmd::RULE_FLUSH, Vec::new())),
        "list" | "show" | "ls" if params.is_empty() => None,
        "flush" | "list" | "show" | "ls" => {
            return Err(Usage(format!("{command} takes no arguments")))
        }
        _ => return Err(Usage(format!("unknown command '{command}'"))),
    };
    Ok(talk(request, added, json))
}

fn parse_add(params: &[String]) -> Result<Rule, Usage> {
    rule::parse_add(params, ifindex).map_err(Usage)
}

/// How many times `list` dumps the rules before it gives up on a listing no change
/// interrupted.
const DUMP_TRIES: usize = 10;

/// Sends `request`, or lists the rules if there is none. `added`: the rule `request` adds, to
/// print with the handle the kernel replies with.
fn talk(
    request: Option<(u8, Vec<rule::Attr>)>,
    added: Option<Rule>,
    json: bool,
) -> Result<(), genl::Error> {
    let mut g = genl::Genl::open().map_err(|mut e| {
        // ENOENT: the generic netlink controller does not know the family.
        if e.err.kind() == std::io::ErrorKind::NotFound {
            e.msg = Some("no rfilter family: is the rfilter module loaded?".to_string());
        }
        e
    })?;
    if let Some((c, attrs)) = request {
        let reply = g.request(c, attrs)?;
        if let Some(mut rule) = added {
            rule.handle = reply
                .iter()
                .flatten()
                .find(|(t, _)| *t == attr::HANDLE)
                .and_then(|(_, v)| Some(u32::from_ne_bytes(v.as_slice().try_into().ok()?)));
            print_rules(&[rule], json);
        }
        return Ok(());
    }
    // A listing the kernel flags as interrupted by a change (NLM_F_DUMP_INTR) may miss rules
    // or show deleted ones: list again, as nft does.
    let mut replies = Vec::new();
    let mut intr = true;
    for _ in 0..DUMP_TRIES {
        (replies, intr) = g.dump(cmd::RULE_GET)?;
        if !intr {
            break;
        }
    }
    if intr {
        return Err(genl::Error {
            err: std::io::Error::from(std::io::ErrorKind::Interrupted),
            msg: Some(format!(
                "the rules changed during each of {DUMP_TRIES} listings; try again"
            )),
        });
    }
    let mut rules = Vec::with_capacity(replies.len());
    for attrs in &replies {
        let r = Rule::from_attrs(attrs.iter().map(|(t, v)| (*t, v.as_slice()))).map_err(|m| {
            genl::Error {
                err: std::io::Error::from(std::io::ErrorKind::InvalidData),
                msg: Some(format!("a rule the kernel sent: {m}")),
            }
        })?;
        rules.push(r);
    }
    print_rules(&rules, json);
    Ok(())
}

/// Prints `rules`, a line each in `add`'s syntax, or as one JSON array; interfaces by name
/// where they still exist, by index otherwise.
fn print_rules(rules: &[Rule], json: bool) {
    let links = link::links().unwrap_or_default();
    let ifname = |index: u32| {
        links
            .iter()
            .find_map(|(i, n)| (*i == index).then(|| n.clone()))
    };
    if json {
        let items: Vec<String> = rules.iter().map(|r| r.json(ifname)).collect();
        println!("[{}]", items.join(","));
    } else {
        for r in rules {
            println!("{}", r.show(ifname));
        }
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(Ok(())) => ExitCode::SUCCESS,
        Ok(Err(e)) => {
            eprintln!("Error: {e}");
            ExitCode::from(1)
        }
        Err(Usage(m)) => {
            eprintln!("rfilter: {m}\nTry 'rfilter help'.");
            ExitCode::from(2)
        }
    }
}
