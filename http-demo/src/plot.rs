//! `--plot`: the sweep as an SVG line chart (requests against wall time).

use std::fs::{self, OpenOptions};
use std::io;
use std::path::Path;

use plotters::prelude::*;

/// One N of the sweep; a missing time is left out of its line.
pub struct Point {
    pub requests: usize,
    pub concurrent_ms: Option<f64>,
    pub sequential_ms: Option<f64>,
}

/// Checks that `path` can be written before the sweep runs, without leaving
/// a file behind: a new file is created and removed at once, an existing one
/// is opened for writing and left as it is (it is only replaced by [`draw`]).
pub fn check_writable(path: &Path) -> io::Result<()> {
    match OpenOptions::new().write(true).create_new(true).open(path) {
        Ok(file) => {
            drop(file);
            fs::remove_file(path)
        }
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            OpenOptions::new().write(true).open(path).map(drop)
        }
        Err(e) => Err(e),
    }
}

/// Draws both lines on linear axes: the sequential one climbs with N, the
/// concurrent one stays near the floor of a single request.
pub fn draw(path: &Path, points: &[Point]) -> Result<(), Box<dyn std::error::Error>> {
    let max_n = points.iter().map(|p| p.requests).max().unwrap_or(1).max(1) as f64;
    let max_ms = points
        .iter()
        .flat_map(|p| [p.concurrent_ms, p.sequential_ms])
        .flatten()
        .fold(1.0_f64, f64::max);
    let root = SVGBackend::new(path, (800, 500)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            "GETs of /delay/<ms>: concurrent (solo) vs sequential (std::net)",
            ("sans-serif", 20),
        )
        .margin(20)
        .x_label_area_size(40)
        .y_label_area_size(70)
        .build_cartesian_2d(0.0..max_n * 1.05, 0.0..max_ms * 1.1)?;
    chart
        .configure_mesh()
        .x_desc("requests (N)")
        .y_desc("wall time (ms)")
        .draw()?;
    let series = |pick: fn(&Point) -> Option<f64>| -> Vec<(f64, f64)> {
        points
            .iter()
            .filter_map(|p| pick(p).map(|ms| (p.requests as f64, ms)))
            .collect()
    };
    let sequential = series(|p| p.sequential_ms);
    let concurrent = series(|p| p.concurrent_ms);
    // A dot on each measured N, so the few points of a sweep stand out.
    for (points, color) in [(&sequential, RED), (&concurrent, BLUE)] {
        chart.draw_series(points.iter().map(|&p| Circle::new(p, 4, color.filled())))?;
    }
    chart
        .draw_series(LineSeries::new(sequential, RED.stroke_width(2)))?
        .label("sequential (blocking std::net)")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], RED));
    chart
        .draw_series(LineSeries::new(concurrent, BLUE.stroke_width(2)))?
        .label("concurrent (solo)")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLUE));
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .border_style(BLACK)
        .background_style(WHITE)
        .draw()?;
    root.present()?;
    Ok(())
}
