//! Selecting events by time range, in file order, without rescanning.
//!
//! The reference finds each command's output window and typing gaps by
//! scanning every event for every command, which is quadratic. Here the
//! events are looked up by binary search. Recorder timestamps never run
//! backwards, so a range is a contiguous run of events; for a hostile stream
//! whose timestamps do, a time-sorted permutation is used and each range is
//! put back into file order (ranges may then overlap, and the cost grows with
//! their total size, as it does in the reference).

/// Event timestamps of one channel, ready for range queries.
pub struct TimeSpans {
    /// Timestamps in file order.
    ts: Vec<f64>,

    /// `None` when `ts` never decreases; otherwise file indices sorted by time.
    by_time: Option<Vec<usize>>,
}

impl TimeSpans {
    /// Indexes `ts` (finite values only).
    pub fn new(ts: Vec<f64>) -> Self {
        let monotonic = ts.windows(2).all(|w| w[0] <= w[1]);
        let by_time = if monotonic {
            None
        } else {
            let mut order: Vec<usize> = (0..ts.len()).collect();
            order.sort_by(|&a, &b| ts[a].total_cmp(&ts[b]).then(a.cmp(&b)));
            Some(order)
        };
        TimeSpans { ts, by_time }
    }

    /// File-order indices of the events with `lo <= t < hi`.
    pub fn select(&self, lo: f64, hi: f64) -> Selection {
        if lo >= hi {
            return Selection::Range(0, 0);
        }
        match &self.by_time {
            None => {
                let start = self.ts.partition_point(|&t| t < lo);
                let end = self.ts.partition_point(|&t| t < hi);
                Selection::Range(start, end.max(start))
            }
            Some(order) => {
                let start = order.partition_point(|&i| self.ts[i] < lo);
                let end = order.partition_point(|&i| self.ts[i] < hi);
                let mut picked = order
                    .get(start..end.max(start))
                    .unwrap_or_default()
                    .to_vec();
                picked.sort_unstable();
                Selection::Picked(picked)
            }
        }
    }
}

/// The result of [`TimeSpans::select`].
pub enum Selection {
    /// A contiguous run `start..end` of file indices.
    Range(usize, usize),

    /// Scattered file indices, ascending.
    Picked(Vec<usize>),
}

impl Selection {
    /// The selected file indices, ascending.
    pub fn indices(&self) -> Box<dyn Iterator<Item = usize> + '_> {
        match self {
            Selection::Range(a, b) => Box::new(*a..*b),
            Selection::Picked(v) => Box::new(v.iter().copied()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn picked(spans: &TimeSpans, lo: f64, hi: f64) -> Vec<usize> {
        spans.select(lo, hi).indices().collect()
    }

    #[test]
    fn monotonic_ranges_are_half_open() {
        let s = TimeSpans::new(vec![0.0, 1.0, 1.0, 2.0, 3.0]);
        assert_eq!(picked(&s, 1.0, 3.0), vec![1, 2, 3]);
        assert_eq!(picked(&s, 1.0, f64::INFINITY), vec![1, 2, 3, 4]);
        assert_eq!(picked(&s, 2.0, 2.0), Vec::<usize>::new());
    }

    #[test]
    fn backwards_time_keeps_file_order() {
        let s = TimeSpans::new(vec![5.0, 1.0, 3.0, 2.0]);
        assert_eq!(picked(&s, 2.0, 6.0), vec![0, 2, 3]);
        assert_eq!(picked(&s, 0.0, 2.5), vec![1, 3]);
    }
}
