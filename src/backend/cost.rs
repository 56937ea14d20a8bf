//! Cost estimates for `--dry-run` and `max_cost`: what each backend bills, at what
//! price, and what the account has left.
//!
//! The estimate is for the primary backend of the chain: fallbacks only cost when
//! used, and how often that happens cannot be known before the run.

use serde::Serialize;

use super::Chain;
use crate::lang::Lang;

/// What a backend bills for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Billing {
    /// Characters of source text (DeepL, Google, Azure, LibreTranslate).
    Characters,
    /// Tokens, estimated from characters (OpenAI-compatible servers).
    EstimatedTokens,
    /// Nothing (pseudo, local programs).
    Free,
}

impl Billing {
    /// Units billed for `chars` characters of source text.
    ///
    /// Tokens: `⌈chars / 4⌉` for the prompt plus as many for the answer. Vietnamese
    /// tokenises worse than English, and the system prompt adds a few hundred tokens
    /// per request, so treat it as a lower bound.
    pub fn units(self, chars: usize) -> u64 {
        let chars = chars as u64;
        match self {
            Billing::Characters => chars,
            Billing::EstimatedTokens => chars.div_ceil(4) * 2,
            Billing::Free => 0,
        }
    }

    /// The unit's name for output.
    pub fn unit_name(self) -> &'static str {
        match self {
            Billing::Characters => "characters",
            Billing::EstimatedTokens => "tokens (estimated)",
            Billing::Free => "free",
        }
    }
}

/// An account's usage as reported by the service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Usage {
    /// What the numbers count.
    pub unit: Billing,
    /// Used in the current period.
    pub used: u64,
    /// The period's limit, when there is one.
    pub limit: Option<u64>,
}

impl Usage {
    /// Units left in the period, when there is a limit.
    pub fn left(&self) -> Option<u64> {
        self.limit.map(|l| l.saturating_sub(self.used))
    }
}

/// One line of an estimate: one backend and target language.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EstimateLine {
    /// [`super::Translator::label`] of the backend.
    pub backend: String,
    /// Target language.
    pub lang: Lang,
    /// Source characters to send.
    pub chars: usize,
    /// Billed units.
    pub units: u64,
    /// What `units` counts.
    pub unit: Billing,
    /// `units × price_per_million / 10⁶`, when the price is configured.
    pub cost: Option<f64>,
}

/// A cost estimate for a run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Estimate {
    /// Per backend and language.
    pub lines: Vec<EstimateLine>,
    /// Sum of the known costs.
    pub total_cost: f64,
    /// False when a billed backend has no `price_per_million` (the total is then
    /// incomplete and a `max_cost` check should say so).
    pub complete: bool,
}

impl Estimate {
    /// True when the known cost exceeds `max_cost`.
    pub fn exceeds(&self, max_cost: f64) -> bool {
        self.total_cost > max_cost
    }
}

/// The label of the chain's primary backend when it bills but has no
/// `price_per_million`: its cost cannot be estimated, so a budget cannot bind.
pub fn unpriced(chain: &Chain) -> Option<String> {
    let primary = chain.primary()?;
    (primary.billing() != Billing::Free && primary.price_per_million().is_none())
        .then(|| primary.label())
}

/// Estimates the cost of sending `chars_per_lang` source characters per target
/// language through the chain's primary backend.
pub fn estimate(chain: &Chain, chars_per_lang: &[(Lang, usize)]) -> Estimate {
    let mut lines = Vec::new();
    let mut complete = true;
    if let Some(primary) = chain.primary() {
        let unit = primary.billing();
        let price = primary.price_per_million();
        for (lang, chars) in chars_per_lang {
            let units = unit.units(*chars);
            let cost = match (unit, price) {
                (Billing::Free, _) => Some(0.0),
                (_, Some(p)) => Some(units as f64 * p / 1_000_000.0),
                (_, None) => None,
            };
            complete &= cost.is_some();
            lines.push(EstimateLine {
                backend: primary.label(),
                lang: lang.clone(),
                chars: *chars,
                units,
                unit,
                cost,
            });
        }
    }
    // Folded from +0.0: `sum()` of no prices is -0.0, printed `-0.00` by `--dry-run`
    // (seen on a DeepL project without `price_per_million`).
    let total_cost = lines.iter().filter_map(|l| l.cost).fold(0.0, |a, c| a + c);
    Estimate {
        lines,
        total_cost,
        complete,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_estimate_counts_prompt_and_answer() {
        assert_eq!(Billing::EstimatedTokens.units(10), 6);
        assert_eq!(Billing::Characters.units(10), 10);
        assert_eq!(Billing::Free.units(10), 0);
    }

    #[test]
    fn usage_left() {
        let u = Usage {
            unit: Billing::Characters,
            used: 30,
            limit: Some(100),
        };
        assert_eq!(u.left(), Some(70));
    }

    #[test]
    fn an_estimate_without_prices_totals_zero_not_minus_zero() {
        // A backend with no price, like `deepl` without `price_per_million`.
        let chain = Chain::new(vec![std::sync::Arc::new(
            crate::backend::echo::Echo::default(),
        )]);
        let en = Lang::parse("en").unwrap();
        let estimate = estimate(&chain, &[(en, 1_000)]);
        assert!(!estimate.complete);
        assert_eq!(format!("{:.2}", estimate.total_cost), "0.00");
    }
}
