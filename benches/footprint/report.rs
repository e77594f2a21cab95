//! The markdown table the bench prints, and the number formats it uses.

use crate::procfs::Machine;

/// Whether a figure meets its goal.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Met {
    Yes,
    No,
    /// No goal, or the figure could not be measured.
    NotJudged,
}

impl Met {
    pub fn from(ok: bool) -> Met {
        if ok { Met::Yes } else { Met::No }
    }

    fn cell(self) -> &'static str {
        match self {
            Met::Yes => "yes",
            Met::No => "**NO**",
            Met::NotJudged => "—",
        }
    }
}

/// One line of the table.
pub struct Row {
    pub figure: String,
    pub synctray: String,
    pub baselines: String,
    pub ratio: String,
    pub goal: String,
    pub met: Met,
}

impl Row {
    /// A row whose synctray figure could not be measured: says why, and counts as missed.
    pub fn failed(figure: &str, why: &str, baselines: String, goal: &str) -> Row {
        Row {
            figure: figure.to_string(),
            synctray: format!("failed: {why}"),
            baselines,
            ratio: "—".into(),
            goal: goal.to_string(),
            met: Met::No,
        }
    }
}

pub fn print_machine(machine: &Machine) {
    println!();
    println!(
        "Machine: {} · {} cores · Linux {}",
        machine.cpu, machine.cores, machine.kernel
    );
    println!();
}

pub fn print_table(rows: &[Row]) {
    println!("| figure | synctray | baseline(s) | ratio | goal | met? |");
    println!("| --- | --- | --- | --- | --- | --- |");
    for row in rows {
        println!(
            "| {} | {} | {} | {} | {} | {} |",
            cell(&row.figure),
            cell(&row.synctray),
            cell(&row.baselines),
            cell(&row.ratio),
            cell(&row.goal),
            row.met.cell()
        );
    }
    let judged = rows.iter().filter(|row| row.met != Met::NotJudged).count();
    let met = rows.iter().filter(|row| row.met == Met::Yes).count();
    println!();
    println!("{met} of {judged} judged figures meet their goal.");
}

/// A table cell must not break the row: no pipes, no newlines.
fn cell(text: &str) -> String {
    text.replace('|', "/").replace('\n', " ")
}

/// KiB as MiB with one decimal.
pub fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

/// Milliseconds with a precision that suits their size.
pub fn ms(value: f64) -> String {
    if value < 10.0 {
        format!("{value:.2} ms")
    } else {
        format!("{value:.1} ms")
    }
}

/// `a / b` as "1.23x", or "—" when b is zero or either is unknown.
pub fn ratio(a: f64, b: f64) -> String {
    if b > 0.0 && a.is_finite() && b.is_finite() {
        format!("{:.2}x", a / b)
    } else {
        "—".into()
    }
}
