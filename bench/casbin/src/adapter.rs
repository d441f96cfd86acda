//! The casbin adapter that hands an enforcer the first rules of the list, as strings.

use std::sync::Arc;

use casbin::{Adapter, Filter, Model};

use crate::model::{Obj, Rule, dom};

/// An adapter that hands casbin the first `take` rules.
pub struct Rules {
    pub rules: Arc<Vec<Rule>>,
    pub names: Arc<Vec<String>>,
    pub take: usize,
}

#[async_trait::async_trait]
impl Adapter for Rules {
    async fn load_policy(&mut self, m: &mut dyn Model) -> casbin::Result<()> {
        for r in &self.rules[..self.take] {
            match *r {
                Rule::P {
                    sub,
                    portal,
                    org,
                    obj,
                } => {
                    let obj = match obj {
                        Obj::Customer(c) => format!("c{c}"),
                        Obj::Module(i) => format!("m{}", self.names[i]),
                    };
                    m.add_policy(
                        "p",
                        "p",
                        vec![sub.text(), dom(portal, org), obj, "see".into()],
                    );
                }
                Rule::G {
                    account,
                    role,
                    portal,
                    org,
                } => {
                    m.add_policy(
                        "g",
                        "g",
                        vec![format!("a{account}"), role.text(), dom(portal, org)],
                    );
                }
            }
        }
        Ok(())
    }
    async fn load_filtered_policy<'a>(
        &mut self,
        m: &mut dyn Model,
        _f: Filter<'a>,
    ) -> casbin::Result<()> {
        self.load_policy(m).await
    }
    async fn save_policy(&mut self, _m: &mut dyn Model) -> casbin::Result<()> {
        Ok(())
    }
    async fn clear_policy(&mut self) -> casbin::Result<()> {
        Ok(())
    }
    fn is_filtered(&self) -> bool {
        false
    }
    async fn add_policy(&mut self, _: &str, _: &str, _: Vec<String>) -> casbin::Result<bool> {
        Ok(false)
    }
    async fn add_policies(
        &mut self,
        _: &str,
        _: &str,
        _: Vec<Vec<String>>,
    ) -> casbin::Result<bool> {
        Ok(false)
    }
    async fn remove_policy(&mut self, _: &str, _: &str, _: Vec<String>) -> casbin::Result<bool> {
        Ok(false)
    }
    async fn remove_policies(
        &mut self,
        _: &str,
        _: &str,
        _: Vec<Vec<String>>,
    ) -> casbin::Result<bool> {
        Ok(false)
    }
    async fn remove_filtered_policy(
        &mut self,
        _: &str,
        _: &str,
        _: usize,
        _: Vec<String>,
    ) -> casbin::Result<bool> {
        Ok(false)
    }
}
