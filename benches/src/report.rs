//! [`Report`]: the figures one workload run produced, and their JSON form
//! (one line from a child process to `compare`).

use serde_json::{json, Value};

/// Which way a metric improves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Better {
    /// Smaller is better (a time, a byte count, a syscall count).
    Lower,
    /// Larger is better (a rate).
    Higher,
}

/// One figure of a workload run.
#[derive(Debug, Clone, PartialEq)]
pub struct Metric {
    /// What it is, with its unit: `ns/task`, `lateness p99 ms`.
    pub label: String,
    /// The value.
    pub value: f64,
    /// Which way is better.
    pub better: Better,
}

/// The figures of one run of one workload on one runtime, in display order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Report {
    /// The figures.
    pub metrics: Vec<Metric>,
}

impl Report {
    /// An empty report.
    pub fn new() -> Report {
        Report::default()
    }

    /// Adds a figure where lower is better.
    pub fn lower(mut self, label: impl Into<String>, value: f64) -> Report {
        self.metrics.push(Metric {
            label: label.into(),
            value,
            better: Better::Lower,
        });
        self
    }

    /// Adds a figure where higher is better.
    pub fn higher(mut self, label: impl Into<String>, value: f64) -> Report {
        self.metrics.push(Metric {
            label: label.into(),
            value,
            better: Better::Higher,
        });
        self
    }

    /// The value of the metric labelled `label`, if present.
    pub fn get(&self, label: &str) -> Option<f64> {
        self.metrics
            .iter()
            .find(|m| m.label == label)
            .map(|m| m.value)
    }

    /// The JSON form: `{"metrics":[{"label":..,"value":..,"better":"lower"}]}`.
    pub fn to_json(&self) -> Value {
        let metrics: Vec<Value> = self
            .metrics
            .iter()
            .map(|m| {
                json!({
                    "label": m.label,
                    "value": m.value,
                    "better": match m.better { Better::Lower => "lower", Better::Higher => "higher" },
                })
            })
            .collect();
        json!({ "metrics": metrics })
    }

    /// Parses what [`to_json`](Self::to_json) wrote; says what is wrong otherwise.
    pub fn from_json(value: &Value) -> Result<Report, String> {
        let metrics = value
            .get("metrics")
            .and_then(Value::as_array)
            .ok_or("no \"metrics\" array")?;
        let mut report = Report::new();
        for m in metrics {
            let label = m
                .get("label")
                .and_then(Value::as_str)
                .ok_or("metric without a \"label\"")?;
            // JSON has no NaN or infinity: serde_json writes them as null.
            let value = m.get("value").and_then(Value::as_f64).unwrap_or(f64::NAN);
            let better = match m.get("better").and_then(Value::as_str) {
                Some("lower") => Better::Lower,
                Some("higher") => Better::Higher,
                other => return Err(format!("metric {label:?}: bad \"better\": {other:?}")),
            };
            report.metrics.push(Metric {
                label: label.to_string(),
                value,
                better,
            });
        }
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_round_trips() {
        let report = Report::new().lower("ns/task", 312.5).higher("rt/s", 5e4);
        let back = Report::from_json(&report.to_json()).unwrap();
        assert_eq!(back, report);
        assert_eq!(back.get("rt/s"), Some(5e4));
    }

    #[test]
    fn malformed_json_is_an_error_not_a_panic() {
        assert!(Report::from_json(&json!({})).is_err());
        assert!(Report::from_json(&json!({"metrics": [{"value": 1.0}]})).is_err());
        let bad = json!({"metrics": [{"label": "x", "value": 1.0, "better": "sideways"}]});
        assert!(Report::from_json(&bad).is_err());
    }
}
