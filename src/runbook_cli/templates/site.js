(function(){
  var form=document.getElementById('filter');form.hidden=false;
  var rows=[].slice.call(document.querySelectorAll('tbody tr[data-severity]'));
  var count=document.getElementById('shown');
  function apply(){
    var text=form.q.value.trim().toLowerCase(),sev=form.severity.value,st=form.status.value,svc=form.service.value,n=0;
    rows.forEach(function(row){
      var ok=(!text||row.getAttribute('data-text').indexOf(text)>=0)&&(!sev||row.getAttribute('data-severity')===sev)
        &&(!st||row.getAttribute('data-status')===st)&&(!svc||(' '+row.getAttribute('data-services')+' ').indexOf(' '+svc+' ')>=0);
      row.hidden=!ok;if(ok){n++;}
    });
    count.textContent=n;
  }
  form.addEventListener('input',apply);form.addEventListener('change',apply);form.addEventListener('submit',function(e){e.preventDefault();});
})();
