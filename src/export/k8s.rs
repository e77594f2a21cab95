//! Kubernetes: a `batch/v1` CronJob whose pod runs `synctray sync --scheduled` on the
//! workspace held by a PersistentVolumeClaim, so that the run lock, the status and the
//! history outlive each pod. One run at a time (`Forbid`, and synctray's own lock), no
//! retried pods (`backoffLimit: 0`: synctray retries jobs itself), a missed time started
//! late only with `catchUp`, and no run longer than `staleLockMinutes`.

use super::calendar::{self, Calendar, Days, Plan};
use super::{Difference, Encoding, Export, OutFile, Request, Target};
use crate::schedule::Zone;

/// Where the claim is mounted in the pod: the workspace's root.
pub const MOUNT: &str = "/workspace";

pub(super) fn export(req: &Request<'_>) -> Result<Export, Difference> {
    let config = req.config;
    let image = req.image.as_deref().ok_or(Difference::NoImage)?;
    let cal = match calendar::plan(&config.cadence)? {
        Plan::Calendar(cal) => cal,
        Plan::Interval(minutes) => {
            return Err(Difference::NotCalendar {
                target: Target::K8s,
                minutes,
            });
        }
    };
    let mut warnings = Vec::new();
    let (tz, zone) = match &config.zone {
        Zone::Named(tz) => (tz.clone(), tz.iana_name().unwrap_or_default().to_owned()),
        Zone::Local => {
            let name = req
                .local
                .iana_name()
                .ok_or(Difference::LocalZoneUnnamed(Target::K8s))?
                .to_owned();
            warnings.push(Difference::LocalZoneUsed {
                target: Target::K8s,
                zone: name.clone(),
            });
            (req.local.clone(), name)
        }
    };
    let schedule = cron(&cal).ok_or_else(|| Difference::DayFields {
        target: Target::K8s,
        expr: config.cadence.expr().unwrap_or_default().to_owned(),
    })?;
    for (_, repeated) in calendar::folds_hit(&cal, &tz, req.now) {
        warnings.push(Difference::FallBack {
            target: Target::K8s,
            repeated: format!(
                "{} ({} in {zone})",
                calendar::time_of(repeated).format("%H:%M"),
                calendar::wall(repeated)
            ),
        });
    }
    let name = super::unit_name(req.ws);
    let claim = req.claim.clone().unwrap_or_else(|| name.clone());
    // A missed time is started late up to the next one with `catchUp`; without it, only
    // within the minute synctray counts as on time.
    let now = chrono::DateTime::from_timestamp(req.now.as_second(), 0).unwrap_or_default();
    let deadline = if config.catch_up {
        config
            .cadence
            .longest_gap(&config.zone, now, chrono::TimeDelta::days(7))
            .map_or(crate::schedule::ON_TIME.num_seconds(), |g| g.num_seconds())
            .max(crate::schedule::ON_TIME.num_seconds())
    } else {
        crate::schedule::ON_TIME.num_seconds()
    };
    let active = super::time_limit(config).as_secs();
    let q = |s: &str| serde_json::to_string(s).expect("a string serialises");
    let command = ["synctray", "--workspace", MOUNT, "sync", "--scheduled"]
        .iter()
        .map(|a| q(a))
        .collect::<Vec<_>>()
        .join(", ");
    let text = format!(
        r#"# {marker}
# {note}
# The claim {claim} holds the workspace (data/config/sync.json) at its root.
apiVersion: batch/v1
kind: CronJob
metadata:
  name: {name}
  labels:
    app.kubernetes.io/name: synctray
    app.kubernetes.io/managed-by: synctray-export
spec:
  schedule: {schedule}
  timeZone: {zone}
  concurrencyPolicy: Forbid
  startingDeadlineSeconds: {deadline}
  successfulJobsHistoryLimit: 3
  failedJobsHistoryLimit: 3
  jobTemplate:
    spec:
      backoffLimit: 0
      activeDeadlineSeconds: {active}
      template:
        metadata:
          labels:
            app.kubernetes.io/name: synctray
        spec:
          restartPolicy: Never
          containers:
            - name: synctray
              image: {image}
              command: [{command}]
              volumeMounts:
                - name: workspace
                  mountPath: {mount}
          volumes:
            - name: workspace
              persistentVolumeClaim:
                claimName: {claim_q}
"#,
        marker = super::marker(Target::K8s, req.ws),
        note = super::marker_note(Target::K8s),
        schedule = q(&schedule),
        zone = q(&zone),
        image = q(image),
        mount = q(MOUNT),
        claim_q = q(&claim),
    );
    Ok(Export {
        target: Target::K8s,
        files: vec![OutFile {
            name: format!("{name}.yaml"),
            text,
            encoding: Encoding::Utf8,
        }],
        warnings,
        install: vec![format!(
            "kubectl apply -f {name}.yaml   (the PersistentVolumeClaim {claim} must exist and hold the workspace)"
        )],
    })
}

/// The five-field expression the CronJob controller reads (robfig/cron: no seconds, no
/// `L`/`W`/`#`, and two restricted day fields meaning either). `None` for croner's `+`
/// (both day fields must hold), which it cannot say.
fn cron(cal: &Calendar) -> Option<String> {
    let (dom, dow) = match &cal.days {
        Days::Every => ("*".to_owned(), "*".to_owned()),
        Days::OfMonth(d) => (list(d), "*".to_owned()),
        Days::OfWeek(w) => ("*".to_owned(), list(w)),
        // Explicit lists (never `*/n`), so that both count as restricted: either matches.
        Days::Either { month, week } => (list(month), list(week)),
        Days::Both { .. } => return None,
    };
    let months = if cal.every_month() {
        "*".to_owned()
    } else {
        list(&cal.months)
    };
    Some(format!(
        "{} {} {dom} {months} {dow}",
        field(&cal.minutes, 59),
        field(&cal.hours, 23)
    ))
}

/// A time field: `*`, `*/step`, `first-max/step`, or a list.
fn field(values: &[u8], max: u8) -> String {
    if values.len() == usize::from(max) + 1 {
        return "*".to_owned();
    }
    match calendar::step_of(values, max) {
        Some((0, step)) => format!("*/{step}"),
        Some((first, step)) => format!("{first}-{max}/{step}"),
        None => list(values),
    }
}

/// Values as `1-5,7`.
fn list(values: &[u8]) -> String {
    calendar::runs(values)
        .into_iter()
        .map(|(a, b)| match b - a {
            0 => a.to_string(),
            1 => format!("{a},{b}"),
            _ => format!("{a}-{b}"),
        })
        .collect::<Vec<_>>()
        .join(",")
}
