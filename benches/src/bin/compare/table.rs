//! Medians of the runs, ratios, and their markdown and JSON forms.

use benches::measure::median;
use benches::report::{Better, Report};
use benches::rt::Runtime;
use serde_json::{json, Value};

/// What one child run gave: its report, or why it failed.
pub type Outcome = Result<Report, String>;

/// One row of the table: one metric of one workload on every runtime.
#[derive(Debug, Clone)]
pub struct Row {
    /// Workload name.
    pub workload: String,
    /// Metric label.
    pub metric: String,
    /// Which way is better.
    pub better: Better,
    /// Per column (in [`Runtime::COLUMNS`] order, the floor last): every
    /// run's value.
    pub samples: [Vec<f64>; 4],
    /// Per column: failures, if any run failed.
    pub errors: [Vec<String>; 4],
    /// Per column: whether the workload ran there at all (a column it does
    /// not run on shows `-`, not `n/a`).
    pub ran: [bool; 4],
}

impl Row {
    /// The median value in each column (`None` if it has none).
    pub fn medians(&self) -> [Option<f64>; 4] {
        [0, 1, 2, 3].map(|i| median(&self.samples[i]))
    }

    /// solo's value divided by the peer's (index 1 tokio, 2 smol, 3 the floor).
    pub fn ratio(&self, peer: usize) -> Option<f64> {
        let m = self.medians();
        match (m[0], m[peer]) {
            (Some(solo), Some(other)) if other != 0.0 && other.is_finite() => Some(solo / other),
            _ => None,
        }
    }

    /// The runtimes with the best median (several if within 0.5% of each
    /// other); empty unless at least two runtimes have a figure. The floor
    /// is not a runtime and never counts.
    pub fn best(&self) -> Vec<Runtime> {
        let present: Vec<(Runtime, f64)> = Runtime::ALL
            .into_iter()
            .zip(self.medians())
            .filter_map(|(rt, v)| v.filter(|v| v.is_finite()).map(|v| (rt, v)))
            .collect();
        if present.len() < 2 {
            return Vec::new();
        }
        let values = present.iter().map(|&(_, v)| v);
        let top = match self.better {
            Better::Lower => values.fold(f64::INFINITY, f64::min),
            Better::Higher => values.fold(f64::NEG_INFINITY, f64::max),
        };
        present
            .into_iter()
            .filter(|&(_, v)| (v - top).abs() <= 0.005 * top.abs())
            .map(|(rt, _)| rt)
            .collect()
    }
}

/// Builds rows from `outcomes[runtime][run]` of one workload: one row per
/// metric label, in the order the reports list them.
pub fn rows(workload: &str, outcomes: &[Vec<Outcome>; 4]) -> Vec<Row> {
    let mut rows: Vec<Row> = Vec::new();
    for (i, runs) in outcomes.iter().enumerate() {
        for outcome in runs {
            let Ok(report) = outcome else { continue };
            for m in &report.metrics {
                let row = match rows.iter().position(|r| r.metric == m.label) {
                    Some(at) => &mut rows[at],
                    None => {
                        rows.push(Row {
                            workload: workload.to_string(),
                            metric: m.label.clone(),
                            better: m.better,
                            samples: Default::default(),
                            errors: Default::default(),
                            ran: ran(outcomes),
                        });
                        rows.last_mut().expect("just pushed")
                    }
                };
                row.samples[i].push(m.value);
            }
        }
    }
    for (i, runs) in outcomes.iter().enumerate() {
        for outcome in runs {
            if let Err(e) = outcome {
                for row in &mut rows {
                    row.errors[i].push(e.clone());
                }
                if rows.is_empty() {
                    rows.push(Row {
                        workload: workload.to_string(),
                        metric: "(failed)".to_string(),
                        better: Better::Lower,
                        samples: Default::default(),
                        errors: Default::default(),
                        ran: ran(outcomes),
                    });
                    rows[0].errors[i].push(e.clone());
                }
            }
        }
    }
    rows
}

/// Which columns have any outcome at all.
fn ran(outcomes: &[Vec<Outcome>; 4]) -> [bool; 4] {
    [0, 1, 2, 3].map(|i| !outcomes[i].is_empty())
}

/// A figure with as many decimals as its size deserves.
pub fn number(v: f64) -> String {
    let a = v.abs();
    if !v.is_finite() {
        "n/a".to_string()
    } else if a >= 10_000.0 {
        let digits = format!("{:.0}", v.abs());
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(c);
        }
        if v < 0.0 {
            out.insert(0, '-');
        }
        out
    } else if a >= 100.0 {
        format!("{v:.0}")
    } else if a >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

fn cell(row: &Row, i: usize) -> String {
    match row.medians()[i] {
        Some(v) if row.errors[i].is_empty() => number(v),
        Some(v) => format!("{} ({} failed)", number(v), row.errors[i].len()),
        None if !row.errors[i].is_empty() => "failed".to_string(),
        // Most workloads have no floor, hyper-hello no smol: nothing was
        // run, nothing to say.
        None if !row.ran[i] => "-".to_string(),
        None => "n/a".to_string(),
    }
}

fn ratio_cell(row: &Row, peer: usize) -> String {
    row.ratio(peer)
        .map_or("".to_string(), |r| format!("{r:.2}"))
}

/// The markdown table: a column per runtime and the mio floor, solo's
/// ratio to each, and the best runtime.
pub fn markdown(rows: &[Row]) -> String {
    let floor = Runtime::Floor.index();
    let mut out = format!(
        "| workload | metric | solo | tokio | smol | {} | solo/tokio | solo/smol | solo/floor | best |\n\
         |---|---|---:|---:|---:|---:|---:|---:|---:|---|\n",
        Runtime::Floor.title(),
    );
    for row in rows {
        let direction = match row.better {
            Better::Lower => "↓",
            Better::Higher => "↑",
        };
        out.push_str(&format!(
            "| {} | {} {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
            row.workload,
            row.metric,
            direction,
            cell(row, 0),
            cell(row, 1),
            cell(row, 2),
            cell(row, floor),
            ratio_cell(row, 1),
            ratio_cell(row, 2),
            ratio_cell(row, floor),
            row.best()
                .into_iter()
                .map(Runtime::name)
                .collect::<Vec<_>>()
                .join(" = "),
        ));
    }
    out
}

/// The same rows as JSON, with every sample.
pub fn json(rows: &[Row]) -> Value {
    let rows: Vec<Value> = rows
        .iter()
        .map(|row| {
            let per_rt = |f: &dyn Fn(usize) -> Value| {
                let mut map = serde_json::Map::new();
                for (i, rt) in Runtime::COLUMNS.into_iter().enumerate() {
                    map.insert(rt.name().to_string(), f(i));
                }
                Value::Object(map)
            };
            json!({
                "workload": row.workload,
                "metric": row.metric,
                "better": match row.better { Better::Lower => "lower", Better::Higher => "higher" },
                "median": per_rt(&|i| json!(row.medians()[i])),
                "samples": per_rt(&|i| json!(row.samples[i])),
                "errors": per_rt(&|i| json!(row.errors[i])),
                "solo_over_tokio": row.ratio(1),
                "solo_over_smol": row.ratio(2),
                "solo_over_floor": row.ratio(Runtime::Floor.index()),
                "best": row.best().into_iter().map(Runtime::name).collect::<Vec<_>>(),
            })
        })
        .collect();
    Value::Array(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcomes(solo: &[f64], tokio: &[f64], smol: &[f64], better: Better) -> [Vec<Outcome>; 4] {
        let make = |vals: &[f64]| -> Vec<Outcome> {
            vals.iter()
                .map(|&v| {
                    Ok(match better {
                        Better::Lower => Report::new().lower("ns", v),
                        Better::Higher => Report::new().higher("ns", v),
                    })
                })
                .collect()
        };
        [make(solo), make(tokio), make(smol), Vec::new()]
    }

    #[test]
    fn ratios_are_of_medians_and_best_follows_the_direction() {
        let o = outcomes(
            &[10.0, 100.0, 12.0],
            &[20.0, 24.0, 22.0],
            &[30.0, 31.0, 29.0],
            Better::Lower,
        );
        let r = rows("spawn", &o);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].medians(), [Some(12.0), Some(22.0), Some(30.0), None]);
        assert_eq!(r[0].ratio(1), Some(12.0 / 22.0));
        assert_eq!(r[0].best(), [Runtime::Solo]);

        let o = outcomes(&[10.0], &[20.0], &[15.0], Better::Higher);
        assert_eq!(rows("echo", &o)[0].best(), [Runtime::Tokio]);

        let o = outcomes(&[8.0], &[8.0], &[27.0], Better::Lower);
        let tie = rows("echo", &o);
        assert_eq!(tie[0].best(), [Runtime::Solo, Runtime::Tokio]);
        assert!(markdown(&tie).contains("| solo = tokio |"));
    }

    #[test]
    fn a_failed_run_shows_in_the_cell_and_a_metric_only_solo_has_gets_no_ratio() {
        let mut o = outcomes(&[1.0, 2.0, 3.0], &[], &[4.0], Better::Lower);
        o[1].push(Err("boom".to_string()));
        let rows = rows("idle", &o);
        let table = markdown(&rows);
        assert!(
            table.contains("| idle | ns ↓ | 2.00 | failed | 4.00 | - |  | 0.50 |  |"),
            "{table}"
        );
    }

    #[test]
    fn a_runtime_a_workload_does_not_run_on_shows_a_dash_one_without_the_figure_n_a() {
        // hyper-hello: no smol runs at all.
        let o = outcomes(&[10.0], &[20.0], &[], Better::Higher);
        let table = markdown(&rows("hyper-hello", &o));
        assert!(
            table.contains("| hyper-hello | ns ↑ | 10.0 | 20.0 | - | - | 0.50 |  |  | tokio |"),
            "{table}"
        );
        // smol ran but reported no such figure.
        let mut o = outcomes(&[10.0], &[20.0], &[], Better::Higher);
        o[2].push(Ok(Report::new().higher("other", 1.0)));
        let table = markdown(&rows("idle", &o));
        assert!(table.contains("| 20.0 | n/a | - |"), "{table}");
    }

    #[test]
    fn numbers_get_separators_and_sensible_decimals() {
        assert_eq!(number(55_123.4), "55,123");
        assert_eq!(number(1_234_567.0), "1,234,567");
        assert_eq!(number(740.2), "740");
        assert_eq!(number(20.44), "20.4");
        assert_eq!(number(1.054), "1.05");
        assert_eq!(number(f64::NAN), "n/a");
    }

    #[test]
    fn the_floor_gets_a_column_and_a_ratio_but_is_never_best() {
        let mut o = outcomes(&[6.0], &[8.0], &[9.0], Better::Lower);
        o[Runtime::Floor.index()].push(Ok(Report::new().lower("ns", 4.0)));
        let floored = rows("echo-latency", &o);
        assert_eq!(floored[0].ratio(Runtime::Floor.index()), Some(1.5));
        assert_eq!(floored[0].best(), [Runtime::Solo]);
        let table = markdown(&floored);
        assert!(
            table.contains("| smol | mio floor | solo/tokio |"),
            "{table}"
        );
        assert!(
            table.contains(
                "| echo-latency | ns ↓ | 6.00 | 8.00 | 9.00 | 4.00 | 0.75 | 0.67 | 1.50 | solo |"
            ),
            "{table}"
        );
        assert_eq!(json(&floored)[0]["solo_over_floor"], json!(1.5));
        assert_eq!(json(&floored)[0]["median"]["floor"], json!(4.0));

        let bare = rows("spawn", &outcomes(&[6.0], &[8.0], &[9.0], Better::Lower));
        assert!(
            markdown(&bare).contains("| 9.00 | - | 0.75 | 0.67 |  | solo |"),
            "{}",
            markdown(&bare)
        );
    }
}
