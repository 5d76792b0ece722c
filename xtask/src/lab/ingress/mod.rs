//! Ingress controllers behind one trait: Traefik (default) and ingress-nginx
//! (legacy). A Gateway API controller (Envoy Gateway) implements the same
//! trait: install steps, readiness steps, the node ports the cluster maps to
//! the host, chart value overrides and diagnostics.

pub mod nginx;
pub mod traefik;

use crate::tools::Cmd;

use super::plan::{Ctx, Step};
use super::providers::Provider;
use super::spec::IngressKind;

pub trait Ingress: Send + Sync {
    fn name(&self) -> &'static str;
    /// Printed before `lab up` and in the plan (e.g. "legacy, retired upstream").
    fn warning(&self) -> Option<&'static str> {
        None
    }
    /// Programs the install steps run besides kubectl (checked in preflight).
    fn tools(&self, _ctx: &Ctx) -> Vec<&'static str> {
        Vec::new()
    }
    /// Port inside the node that receives HTTP (mapped from the host port).
    fn http_container_port(&self) -> u16;
    fn https_container_port(&self) -> u16;
    /// Steps that install the controller (and wait for its rollout).
    fn install_steps(&self, ctx: &Ctx, provider: &dyn Provider) -> Vec<Step>;
    /// Steps that prove the controller serves traffic.
    fn ready_steps(&self, ctx: &Ctx) -> Vec<Step>;
    /// `--set` overrides for every chart (e.g. the ingress class name).
    fn chart_overrides(&self) -> Vec<(String, String)>;
    /// Namespace of the controller (diagnostics).
    fn namespace(&self) -> &'static str;
    /// Extra diagnostics commands (title, file, command).
    fn diagnostics(&self, ctx: &Ctx) -> Vec<(String, String, Cmd)>;
}

pub fn new(kind: IngressKind) -> Box<dyn Ingress> {
    match kind {
        IngressKind::Traefik => Box::new(traefik::Traefik),
        IngressKind::Nginx => Box::new(nginx::Nginx),
    }
}
